/** The OAuth2 scopes of the API, and which scopes satisfy which requirement. */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const SATISFIED_BY: Record<Scope, readonly Scope[]> = {
  read: ['read', 'write', 'admin'],
  write: ['write', 'admin'],
  admin: ['admin'],
};

export function grants(scopes: ReadonlySet<string>, required: Scope): boolean {
  return SATISFIED_BY[required].some((scope) => scopes.has(scope));
}

export function parseScopes(value: unknown): Set<string> {
  return new Set(typeof value === 'string' ? value.split(' ').filter(Boolean) : []);
}
