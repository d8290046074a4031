import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { InputLocation, Route, RouteName } from './routes.ts';
import type { ResponseDataOf } from './route-data.ts';

/**
 * TypeScript types derived from the route table's schemas, so that no input or response
 * type is written by hand (and no cast stands between the validator and the use case).
 */
type Schema<S> = S extends JSONSchema ? S : never;

// biome-ignore lint/complexity/noBannedTypes: no fields at that location: `{}` is what intersects away.
type InputAt<N extends RouteName, L extends InputLocation> = Route<N>['input'] extends { readonly [K in L]: infer S } ? FromSchema<Schema<S>> : {};

/** A route's validated input: its path, query and body fields merged, after normalization and validation. */
export type RouteInput<N extends RouteName> = InputAt<N, 'path'> & InputAt<N, 'query'> & InputAt<N, 'body'>;

/** A route's validated headers (lower-case names), when it declares any. */
export type RouteHeaders<N extends RouteName> = InputAt<N, 'headers'>;

/** What a use case returns as `data`; the handler factory adds the route's `message` to it. */
export type RouteData<N extends RouteName> = ResponseDataOf<Route<N>>;

/** The route's extra `meta` (pagination), when it has one. */
export type RouteMeta<N extends RouteName> = Route<N>['response'] extends { meta: infer M } ? FromSchema<Schema<M>> : undefined;
