import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Principal } from '../auth/principal.ts';
import { RESPONSE_HEADERS } from '../contracts/routes.ts';
import { BadRequestError, IdempotencyConflictError, ValidationError } from '../errors.ts';
import type { AnswerSealer, IdempotencyScope, IdempotencyStore, StoredResponse } from '../ports/idempotency-store.ts';
import type { Clock } from './clock.ts';
import type { HttpRequest, HttpResult } from './types.ts';

/**
 * `Idempotency-Key` on POST endpoints (docs/failure-semantics.md): the same caller + key +
 * body within 24 hours replays the first response (status and body) without doing the work
 * again; the same key with another body is 422; while the first request still runs, 409.
 * Keys are scoped to the caller and the route. A 5xx is never kept: the attempt can be
 * retried with the key. A replay first re-checks that the caller may still act (a role
 * change takes effect at once, stored answers or not).
 */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAY_HEADER = 'idempotent-replayed';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

type IdempotencyInternal = { idempotency?: { scope: IdempotencyScope; requestHash: string } };

export type IdempotencyOptions = {
  store: IdempotencyStore;
  route: string;
  clock: Clock;
  logger: Logger;
  /** Throws (403) when the caller may no longer do what the stored response did. */
  assertMayReplay: (input: Record<string, unknown>, principal: Principal) => Promise<void>;
  /** Seals the stored body of an answer that holds a secret (a webhook's): the table keeps no secret in the clear; opened only to replay it. */
  sealAnswers?: AnswerSealer;
};

/**
 * Two halves, because they sit at two places of the chain: `claim` runs after validation
 * (it needs the principal and the normalized input), `record` sits outside the error
 * mapper, so that it keeps the final response, errors included.
 */
export function idempotency(opts: IdempotencyOptions) {
  const idempotencyClaimBefore = async (request: HttpRequest) => {
    const key = request.event.headers?.[IDEMPOTENCY_HEADER];
    if (key === undefined) return;
    if (!KEY_PATTERN.test(key)) throw new BadRequestError('The Idempotency-Key header must be 1 to 255 visible ASCII characters.');
    const principal = request.context.principal!;
    const input = request.context.input!;
    const scope = { userId: principal.userId, route: opts.route, key };
    const requestHash = hashInput(input);
    // A claim is a write: it waits for the rate limit to admit the request.
    await request.context.admitted;
    const result = await opts.store.claim(scope, requestHash, opts.clock.now());
    if (result.claimed) {
      (request.internal as IdempotencyInternal).idempotency = { scope, requestHash };
      request.context.operationId = operationIdOf(scope);
      return;
    }
    if (result.record.requestHash !== requestHash) {
      throw new ValidationError({ idempotency_key: ['The Idempotency-Key was already used with a different request body.'] });
    }
    if (result.record.status !== 'completed' || !result.record.response) throw new IdempotencyConflictError();
    await opts.assertMayReplay(input, principal);
    const stored = result.record.response;
    request.context.idempotentReplay = opts.sealAnswers ? { ...stored, body: await opts.sealAnswers.open(stored.body, scope) } : stored;
  };

  const idempotencyRecordOutcome = async (request: HttpRequest) => {
    const claim = (request.internal as IdempotencyInternal).idempotency;
    const response = request.response as HttpResult | undefined;
    if (!claim || !response) return;
    try {
      // A transient answer (5xx, 429) is never kept: the key can be retried.
      const status = response.statusCode ?? 500;
      if (status >= 500 || status === 429) await opts.store.release(claim.scope);
      else {
        const headers = Object.fromEntries(
          Object.entries(response.headers ?? {})
            .filter(([name]) => (RESPONSE_HEADERS as readonly string[]).includes(name.toLowerCase()))
            .map(([name, value]) => [name.toLowerCase(), String(value)]),
        );
        const body = opts.sealAnswers ? await opts.sealAnswers.seal(String(response.body), claim.scope) : String(response.body);
        await opts.store.complete(claim.scope, claim.requestHash, { statusCode: response.statusCode ?? 200, body, ...(Object.keys(headers).length ? { headers } : {}) }, opts.clock.now());
      }
    } catch (error) {
      // The answer stands; the record expires on its own (in-progress lock, then TTL).
      opts.logger.warn('could not record the idempotent outcome', { error_name: (error as Error).name });
    }
  };

  return {
    claim: { before: idempotencyClaimBefore },
    record: { after: idempotencyRecordOutcome, onError: idempotencyRecordOutcome },
  };
}

/** The id a keyed request's writes carry (the caller, route and key hashed: the key itself is the client's, not ours to store). */
export const operationIdOf = (scope: IdempotencyScope) => `key_${createHash('sha256').update(`${scope.userId}|${scope.route}|${scope.key}`).digest('base64url').slice(0, 32)}`;

/** Replays keep the first answer's status, body and own headers, and say so in a header. */
export function replayResponse(stored: StoredResponse): HttpResult {
  return { statusCode: stored.statusCode, headers: { 'content-type': 'application/json', ...stored.headers, [REPLAY_HEADER]: 'true' }, body: stored.body };
}

/** Hash of the normalized input: key order, whitespace and ignored fields do not matter. */
export function hashInput(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

/** JSON with object keys sorted at every depth: equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
