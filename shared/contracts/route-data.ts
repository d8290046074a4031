import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/**
 * A route's answer type from the route object itself, not from its name in the assembled
 * table: a resource's views can live beside its routes (shared/contracts/routes/<resource>.ts)
 * without importing the table that imports them. `RouteData<'name'>` (route-types.ts) is
 * this type of the named route.
 */
type Schema<S> = S extends JSONSchema ? S : never;
type Data<R extends { response: { data: object } }> = FromSchema<Schema<R['response']['data']>>;

export type ResponseDataOf<R extends { response: { data: object } }> = R['response'] extends { message: string } ? Omit<Data<R>, 'message'> : Data<R>;
