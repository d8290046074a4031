import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { Route, RouteName } from './routes.ts';

/**
 * TypeScript types derived from the route table's schemas, so that no input or response
 * type is written by hand (and no cast stands between the validator and the use case).
 */
type Schema<S> = S extends JSONSchema ? S : never;

/** A route's validated input: its body or query, after normalization and validation. */
export type RouteInput<N extends RouteName> = FromSchema<Schema<Route<N>['request']['schema']>>;

type Data<N extends RouteName> = FromSchema<Schema<Route<N>['response']['data']>>;

/** What a use case returns as `data`; the handler factory adds the route's `message` to it. */
export type RouteData<N extends RouteName> = Route<N>['response'] extends { message: string } ? Omit<Data<N>, 'message'> : Data<N>;

/** The route's extra `meta` (pagination), when it has one. */
export type RouteMeta<N extends RouteName> = Route<N>['response'] extends { meta: infer M } ? FromSchema<Schema<M>> : undefined;
