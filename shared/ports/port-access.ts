/**
 * Whether each method of a port reads or writes, declared beside the port: the rate limit's
 * admission lets reads run alongside it and holds writes until it (shared/http/rate-limit.ts,
 * `admittedFirst`). Typed by the port, so the compiler refuses a new method without one.
 */
export type PortAccess<P> = { readonly [M in keyof P]: 'read' | 'write' };
