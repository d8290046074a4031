import type { AnswerSealer } from '../ports/idempotency-store.ts';

/**
 * An answer a replay may repeat only in part: the named fields of its `data` are never
 * stored (so never in the table, its stream, its backups), and a replay answers without
 * them. For an answer whose secret the client must have seen once and only once (a new API
 * key): a retry gets the metadata of what was made, never the secret again.
 */
export function redactedAnswer(secretFields: readonly string[]): AnswerSealer {
  return {
    async seal(body) {
      const parsed = JSON.parse(body) as { data?: Record<string, unknown> };
      if (parsed.data && typeof parsed.data === 'object') for (const field of secretFields) delete parsed.data[field];
      return JSON.stringify(parsed);
    },
    async open(stored) {
      return stored;
    },
  };
}
