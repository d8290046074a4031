import { createHash, randomBytes } from 'node:crypto';

/**
 * Personal access tokens: `ttk_` + 43 base64url characters (32 random bytes). Only the
 * SHA-256 of a key is stored; the plaintext is shown once, at creation.
 */
export const API_KEY_PREFIX = 'ttk_';
export const API_KEY_PATTERN = /^ttk_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function looksLikeApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Enough to recognize a key in a list, far too little to guess it. */
export function displayPrefix(key: string): string {
  return `${key.slice(0, API_KEY_PREFIX.length + 4)}…`;
}

export type ApiKeyRecord = {
  /** Public identifier for listing and revoking: the first 16 hex characters of the hash. */
  keyId: string;
  hash: string;
  userId: number;
  name: string;
  scopes: string[];
  displayPrefix: string;
  createdAt: string;
  /** null: not revoked. */
  revokedAt: string | null;
  /** null: never expires. */
  expiresAt: string | null;
};

/** What the authorizer learns from one lookup. A record that cannot be read is refused. */
export type ApiKeyLookup = { status: 'found'; record: ApiKeyRecord } | { status: 'unknown' } | { status: 'malformed' };

export function newApiKeyRecord(key: string, fields: { userId: number; name: string; scopes: string[]; expiresAt: string | null; now: Date }): ApiKeyRecord {
  const hash = hashApiKey(key);
  return {
    keyId: hash.slice(0, 16),
    hash,
    userId: fields.userId,
    name: fields.name,
    scopes: fields.scopes,
    displayPrefix: displayPrefix(key),
    createdAt: fields.now.toISOString(),
    revokedAt: null,
    expiresAt: fields.expiresAt,
  };
}
