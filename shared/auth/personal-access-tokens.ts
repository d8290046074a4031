import type { PortAccess } from '../ports/port-access.ts';
import { DependencyUnavailableError, ForbiddenError, InsufficientScopeError, NotFoundError, ValidationError } from '../errors.ts';
import { parseOffsetTime } from '../tracking/api-time.ts';
import { newApiKeyRecord, type ApiKeyRecord } from './api-keys.ts';
import { isExpired, type AuthMethod } from './principal.ts';
import { grants, isDirectoryCredential, type Scope } from './scopes.ts';

/**
 * Personal access tokens (API keys a user makes for themselves, docs/auth.md): created with
 * scopes the caller holds, at most MAX_LIVE_KEYS live ones per user, listed without
 * secrets, revoked by their owner. The admin CLI creates keys through the same function,
 * for any user, as an operator holding every scope.
 */
export const MAX_LIVE_KEYS = 20;

export interface ApiKeyStore {
  /** The user's keys, oldest first, and the revision of their set (it changes with every create and revoke). */
  listByUser(userId: number): Promise<{ records: ApiKeyRecord[]; revision: number }>;
  /**
   * Stores a new key; 'exists' when that key is already stored (never changed), 'conflict'
   * when the user's keys changed since `expectedRevision` (undefined: do not check).
   */
  insert(record: ApiKeyRecord, expectedRevision: number | undefined): Promise<'inserted' | 'exists' | 'conflict'>;
  /** One of the user's own keys, by id. */
  findForUser(userId: number, keyId: string): Promise<ApiKeyRecord | undefined>;
  /** Any key, by id (the admin CLI). */
  findById(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** Gives a key stored before users had their own copies its copy (idempotent): it is then listed and counted. */
  indexForUser(record: ApiKeyRecord): Promise<void>;
  /** Marks it revoked (keeping the first revocation time); undefined when it is gone. */
  revoke(record: ApiKeyRecord, now: Date): Promise<ApiKeyRecord | undefined>;
  /** Whether the user is a member of some workspace (any role or status): one Query of a single item. */
  isMemberAnywhere(userId: number): Promise<boolean>;
}

/** Which of its methods read and which write (the rate limit holds writes until it admits the request). */
export const API_KEY_STORE_ACCESS: PortAccess<ApiKeyStore> = {
  listByUser: 'read',
  findForUser: 'read',
  findById: 'read',
  isMemberAnywhere: 'read',
  insert: 'write',
  indexForUser: 'write',
  revoke: 'write',
};

/** Who creates: the caller's user and the scopes its credential holds. */
export type KeyOwner = { userId: number; scopes: ReadonlySet<string> };

/** The longest a key made over the API may live, unless API_KEY_MAX_LIFETIME_DAYS says otherwise. */
export const DEFAULT_MAX_KEY_LIFETIME_DAYS = 90;

/**
 * What the API holds a key's maker to (docs/auth.md "Personal access tokens"); the admin
 * CLI, an operator bootstrapping keys, is not. `authMethod` is the maker's credential: a
 * key never makes another key, so that no key outlives or escapes the one that made it (a
 * revoked key still in the authorizer's cache, a leaked one).
 */
export type KeyMakerPolicy = { authMethod: AuthMethod; maxLifetimeDays: number };

/**
 * The new key's expiry, checked: a real instant (31 February is no day), in the future, at
 * most `maxLifetimeDays` away; absent, the longest allowed. 422 on `expires_at` otherwise.
 * Without a lifetime (the admin CLI), null is a key that never expires.
 */
export function checkedKeyExpiry(expiresAt: string | null | undefined, now: Date, maxLifetimeDays: number | undefined): string | null {
  if (expiresAt === undefined && maxLifetimeDays !== undefined) return new Date(now.getTime() + maxLifetimeDays * 86_400_000).toISOString();
  if (expiresAt === undefined || expiresAt === null) {
    if (maxLifetimeDays === undefined) return null;
    throw new ValidationError({ expires_at: [`The expires at field must be a time: every key expires, at most ${maxLifetimeDays} days from now.`] });
  }
  const instant = parseOffsetTime(expiresAt);
  if (instant === undefined) throw new ValidationError({ expires_at: ['The expires at field must be a valid date and time.'] });
  if (instant <= now.getTime()) throw new ValidationError({ expires_at: ['The expires at field must be a time in the future.'] });
  if (maxLifetimeDays !== undefined && instant > now.getTime() + maxLifetimeDays * 86_400_000) {
    throw new ValidationError({ expires_at: [`The expires at field must be at most ${maxLifetimeDays} days from now.`] });
  }
  return new Date(instant).toISOString();
}

const isLive = (record: ApiKeyRecord, now: Date) => record.revokedAt === null && !isExpired(record.expiresAt === null ? undefined : Date.parse(record.expiresAt) / 1000, now);

/**
 * Creates a key for the caller's own user; the plaintext is in the answer only. Two round
 * trips: the user's keys (one Query), then one transaction conditioned on them not having
 * changed, so that concurrent creates cannot pass the limit together.
 */
export async function createPersonalAccessToken(
  owner: KeyOwner,
  request: { name: string; scopes: readonly Scope[]; expiresAt: string | null | undefined },
  deps: { store: ApiKeyStore; now: Date; generate: () => string; policy?: KeyMakerPolicy },
): Promise<{ key: string; record: ApiKeyRecord }> {
  if (deps.policy?.authMethod === 'api_key') throw new ForbiddenError('An API key cannot create API keys: create one with an OAuth2 access token.');
  // The membership check and the first read of the user's keys go out together: one round trip before the write, not two.
  const firstList = deps.store.listByUser(owner.userId);
  // Answered below, or dropped when the request is refused first: never an unhandled rejection.
  firstList.catch(() => undefined);
  // An identity of the issuer that is no member of anything has nothing a key could reach: it holds none (a platform credential excepted).
  if (deps.policy && !isDirectoryCredential(owner.scopes) && !(await deps.store.isMemberAnywhere(owner.userId))) throw new ForbiddenError('Only a member of a workspace holds API keys.');
  const errors: Record<string, string[]> = {};
  const notHeld = request.scopes.filter((scope) => !grants(owner.scopes, scope));
  if (notHeld.length > 0) errors.scopes = [`The scopes must be ones the credential making the key holds (not ${notHeld.join(', ')}).`];
  let expiresAt: string | null = null;
  try {
    expiresAt = checkedKeyExpiry(request.expiresAt, deps.now, deps.policy?.maxLifetimeDays);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    Object.assign(errors, error.errors);
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const key = deps.generate();
  const record = newApiKeyRecord(key, { userId: owner.userId, name: request.name, scopes: [...new Set(request.scopes)], expiresAt, now: deps.now });
  for (let attempt = 0; attempt < 8; attempt++) {
    const { records, revision } = await (attempt === 0 ? firstList : deps.store.listByUser(owner.userId));
    // The SDK retried a write whose answer was lost: the key is there, it is ours.
    if (records.some((stored) => stored.keyId === record.keyId)) return { key, record };
    if (records.filter((stored) => isLive(stored, deps.now)).length >= MAX_LIVE_KEYS) throw new ValidationError({ name: [`A user has at most ${MAX_LIVE_KEYS} live API keys: revoke one first.`] });
    const inserted = await deps.store.insert(record, revision);
    if (inserted === 'inserted') return { key, record };
    if (inserted === 'exists') throw new DependencyUnavailableError();
  }
  throw new DependencyUnavailableError();
}

/** The caller's keys that are not revoked (expired ones included, with their `expires_at`), oldest first. */
export async function listPersonalAccessTokens(userId: number, deps: { store: ApiKeyStore }): Promise<ApiKeyRecord[]> {
  return (await deps.store.listByUser(userId)).records.filter((record) => record.revokedAt === null);
}

/**
 * Whether a credential may revoke the key `keyId`: `write` (or `directory`) revokes any of its
 * user's keys; a key without them may still revoke itself (a leaked read-only key is
 * disabled with itself). 403 otherwise.
 */
export function assertMayRevoke(caller: { scopes: ReadonlySet<string>; keyId?: string }, keyId: string): void {
  if (grants(caller.scopes, 'write') || isDirectoryCredential(caller.scopes) || caller.keyId === keyId) return;
  throw new InsufficientScopeError('write');
}

/**
 * Before an `Idempotency-Key` replays a creation's answer (its metadata: the key itself is
 * never stored), the replaying credential must be one that may create that key now.
 */
export function assertMayReplayCreation(caller: { scopes: ReadonlySet<string>; authMethod: AuthMethod }, scopes: readonly Scope[]): void {
  if (caller.authMethod === 'api_key') throw new ForbiddenError('An API key cannot create API keys: create one with an OAuth2 access token.');
  if (!grants(caller.scopes, 'write') && !isDirectoryCredential(caller.scopes)) throw new InsufficientScopeError('write');
  const notHeld = scopes.filter((scope) => !grants(caller.scopes, scope));
  if (notHeld.length > 0) throw new InsufficientScopeError(notHeld.join(' '));
}

/** Revokes one of the caller's own keys; another user's key, or a revoked one, is not found (404). */
export async function revokePersonalAccessToken(userId: number, keyId: string, deps: { store: ApiKeyStore; now: Date }): Promise<ApiKeyRecord> {
  const record = await deps.store.findForUser(userId, keyId);
  if (!record || record.revokedAt !== null) throw new NotFoundError('The API key was not found.');
  const revoked = await deps.store.revoke(record, deps.now);
  if (!revoked) throw new NotFoundError('The API key was not found.');
  return revoked;
}
