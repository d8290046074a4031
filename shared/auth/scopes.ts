/**
 * The OAuth2 scopes of the API, and which scopes satisfy which requirement. `directory` is
 * a platform credential's (an organisation's sync job): it manages the directory of any
 * workspace, and satisfies nothing else (it is no member of anything, so it tracks nothing).
 */
export const SCOPES = ['read', 'write', 'admin', 'directory'] as const;
export type Scope = (typeof SCOPES)[number];

const SATISFIED_BY: Record<Scope, readonly Scope[]> = {
  read: ['read', 'write', 'admin'],
  write: ['write', 'admin'],
  admin: ['admin'],
  directory: ['directory'],
};

/** What a route requires: one scope, or any one of several (`['write', 'directory']`). */
export type ScopeRequirement = Scope | readonly Scope[];

export const requiredScopes = (required: ScopeRequirement): readonly Scope[] => (typeof required === 'string' ? [required] : required);

export function grants(scopes: ReadonlySet<string>, required: ScopeRequirement): boolean {
  return requiredScopes(required).some((one) => SATISFIED_BY[one].some((scope) => scopes.has(scope)));
}

/** A platform credential: it may manage every workspace's directory. */
export const isDirectoryCredential = (scopes: ReadonlySet<string>) => scopes.has('directory');

export function parseScopes(value: unknown): Set<string> {
  return new Set(typeof value === 'string' ? value.split(' ').filter(Boolean) : []);
}
