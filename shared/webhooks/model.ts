/** Webhook subscriptions and the events they receive (docs/webhooks.md). */
import type { WebhookEventType } from '../contracts/webhook-events.ts';

export type { WebhookEventType };

export type WebhookSubscription = {
  id: string;
  workspaceId: number;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  /** Its Standard Webhooks secret (`whsec_` + base64 of 32 random bytes), sealed (SecretBox): only a delivery opens it. */
  sealedSecret: string;
  /** The secret before the last rotation, sealed, still signed with until `previousSecretUntil` (ISO 8601). */
  sealedPreviousSecret: string | null;
  previousSecretUntil: string | null;
  createdAt: string;
  /** Who created it: once they no longer manage the workspace, it is disabled (`creator_lost_access`). Null for webhooks from before it was kept. */
  createdBy: number | null;
  /** The first failed attempt since the last delivered one (ISO 8601), or null: after FAILING_DISABLE_AFTER of failures only, it is disabled. */
  failingSince: string | null;
  /** A disabled webhook receives nothing until it is enabled again (PATCH). */
  status: 'enabled' | 'disabled';
  /** Why it was disabled (WEBHOOK_DISABLED_REASONS). */
  disabledReason: WebhookDisabledReason | null;
};

/**
 * `gone`: its receiver answered 410; `requested`: turned off by a PATCH; `failing`: every
 * attempt failed for the failing window (5 days); `creator_lost_access`: whoever created it
 * no longer manages the workspace.
 */
export const WEBHOOK_DISABLED_REASONS = ['gone', 'requested', 'failing', 'creator_lost_access'] as const;
export type WebhookDisabledReason = (typeof WEBHOOK_DISABLED_REASONS)[number];

/** A workspace may have this many webhooks. */
export const MAX_WEBHOOKS_PER_WORKSPACE = 10;

export interface WebhookRepository {
  /** Stores the subscription unless the workspace already has `max`. */
  create(subscription: WebhookSubscription, max: number): Promise<'created' | 'limit_reached'>;
  list(workspaceId: number): Promise<WebhookSubscription[]>;
  get(workspaceId: number, id: string): Promise<WebhookSubscription | undefined>;
  delete(workspaceId: number, id: string): Promise<'deleted' | 'not_found'>;
  /** Sets its status (and reason, when disabling); undefined when there is no such webhook. */
  setStatus(workspaceId: number, id: string, change: { status: 'enabled' } | { status: 'disabled'; reason: WebhookDisabledReason }): Promise<WebhookSubscription | undefined>;
  /** A new secret; the current one becomes the previous, signed with until `previousUntil`. Undefined when there is no such webhook. */
  rotateSecret(workspaceId: number, id: string, rotation: { sealedSecret: string; previousUntil: string }): Promise<WebhookSubscription | undefined>;
  /** Records that an attempt failed (`failing`: keeps the first failure's time) or was delivered (clears it). */
  setFailing(workspaceId: number, id: string, since: string | null): Promise<void>;
  /**
   * Takes the webhook's one replay slot until `leaseUntil`, unless another replay holds it
   * (its lease not yet run out): then that replay. 'not_found' when there is no such webhook.
   */
  claimReplay(workspaceId: number, id: string, replay: RunningReplay, now: Date): Promise<'claimed' | 'not_found' | { running: RunningReplay }>;
  /** Extends the replay's lease; false when it no longer holds the slot (it ran out and another took it, or the webhook is gone). */
  renewReplay(workspaceId: number, id: string, replayId: string, leaseUntil: string): Promise<boolean>;
  /** Frees the slot, if this replay still holds it. */
  endReplay(workspaceId: number, id: string, replayId: string): Promise<void>;
  /** Records a test event sent at `now`, unless one was sent less than `intervalSeconds` ago: then how long to wait. `claimed`: the time it replaced. */
  claimTest(workspaceId: number, id: string, now: Date, intervalSeconds: number): Promise<{ claimed: string | null } | 'not_found' | { retryAfterSeconds: number }>;
  /** Gives back a claim whose test event could not be sent (a transient failure must leave the client free to retry): `previous` again, if the claim is still `claimedAt`'s. */
  releaseTest(workspaceId: number, id: string, claimedAt: Date, previous: string | null): Promise<void>;
}

/** The replay a webhook is running (one at a time): its id, its range, and until when it holds the slot without a word from it. */
export type RunningReplay = { id: string; since: string; until: string; leaseUntil: string };

/** The most messages one replay sends: a replay of a busy webhook's week is several, one after the other. */
export const MAX_REPLAY_MESSAGES = 1000;
/** How long a replay holds its slot without a step renewing it: a replay whose steps died frees it after this. */
export const REPLAY_LEASE_SECONDS = 60 * 60;
/** A webhook's test events: at most one in this many seconds. */
export const TEST_EVENT_INTERVAL_SECONDS = 60;

/** What was sent to a webhook, kept for the log's retention: redelivery and replay send exactly this again. */
export type StoredMessage = {
  workspaceId: number;
  subscriptionId: string;
  messageId: string;
  type: WebhookMessageType;
  payload: string;
  /** When its event happened (ISO 8601): what replay orders and selects by. */
  occurredAt: string;
};

/** One delivery attempt as the log shows it. */
export type DeliveryAttempt = {
  id: string;
  workspaceId: number;
  subscriptionId: string;
  messageId: string;
  type: WebhookMessageType;
  /** 1 for the first send; redeliveries and replays count from 1 again. */
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  at: string;
  /** When the next attempt is due, or null when there is none (delivered, dropped, or out of retries). */
  nextAttemptAt: string | null;
};

/** The event sent by `POST /webhooks/{id}/test`: no tracker is involved, every webhook may receive it. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';
export type WebhookMessageType = WebhookEventType | typeof WEBHOOK_TEST_EVENT;

/** A webhook all of whose attempts failed for this long is disabled (`failing`). */
export const FAILING_DISABLE_AFTER_SECONDS = 5 * 24 * 60 * 60;

/** How long messages and attempts are kept (the TTL of both): what the log shows and replay reaches. */
export const WEBHOOK_LOG_RETENTION_SECONDS = 7 * 24 * 60 * 60;

/**
 * One delivery: an event for one subscription. Carried as is through the queue and every
 * retry. `occurredAt`: when its event happened (the log keeps it for replay; absent in
 * deliveries queued before it was carried). `previousAttempts`: attempts already made before
 * it was queued (a replayed message that failed once inline).
 */
export type Delivery = { messageId: string; workspaceId: number; subscriptionId: string; type: WebhookMessageType; payload: string; occurredAt?: string; previousAttempts?: number };

/**
 * What the delivery queue carries: a delivery (the fan-out, redelivery, the test event), or
 * a step of a replay (shared/webhooks/replay.ts), which the consumer runs in order.
 */
export type ReplayJob = {
  kind: 'replay';
  workspaceId: number;
  subscriptionId: string;
  /** The events that happened in [since, until] (ISO 8601): until is when the replay was asked for. */
  since: string;
  until: string;
  /** Where the previous step stopped (a cursor of the log). */
  after?: string;
  /** The replay (its slot on the webhook: one at a time), and how many messages it still sends (at most MAX_REPLAY_MESSAGES in all). */
  replayId?: string;
  remaining?: number;
};
export type QueuedMessage = Delivery | ReplayJob;

/** Where deliveries and replay steps are queued (SQS deployed; the local runtimes' queue on one machine). */
export interface WebhookQueue {
  /** Queued in this order; `delaySeconds` (at most 900, SQS's bound) before it may be received. */
  send(messages: ReadonlyArray<{ message: QueuedMessage; delaySeconds?: number }>): Promise<void>;
}

/** The delivery log and the messages it can send again (docs/webhooks.md "Delivery log"). */
export interface WebhookLog {
  /** Keeps messages (idempotent: a message written twice is one). */
  recordMessages(messages: readonly StoredMessage[], now: Date): Promise<void>;
  message(workspaceId: number, subscriptionId: string, messageId: string): Promise<StoredMessage | undefined>;
  /** Messages whose event happened in [since, until], oldest first, from after `after` (a cursor this returned); at most `limit`. */
  messagesBetween(
    workspaceId: number,
    subscriptionId: string,
    range: { since: string; until: string; after?: string; limit: number },
  ): Promise<{ messages: Array<StoredMessage & { cursor: string }>; cursor?: string }>;
  /** How many messages' events happened in [since, until], counted up to `max`, and when the `max`-th one happened (when there are that many). */
  countBetween(workspaceId: number, subscriptionId: string, range: { since: string; until: string }, max: number): Promise<{ count: number; lastOccurredAt?: string }>;
  recordAttempt(attempt: DeliveryAttempt): Promise<void>;
  /** Attempts of the retention window, newest first: one page after `cursor`, and the next page's cursor (null: none). */
  attempts(workspaceId: number, subscriptionId: string, page: { cursor?: string; perPage: number }, now: Date): Promise<{ attempts: DeliveryAttempt[]; nextCursor: string | null }>;
}

/** Which webhook a sealed secret belongs to: bound into its encryption, so that it opens for that webhook only. */
export type SecretOwner = { workspaceId: number; webhookId: string };

/**
 * Webhook secrets at rest (docs/webhooks.md "Secrets at rest"): sealed by envelope
 * encryption under the stack's KMS key before they are stored, opened only where a delivery
 * is signed. A sealed secret names its webhook in its encryption context.
 */
export interface SecretBox {
  seal(secret: string, owner: SecretOwner): Promise<string>;
  open(sealed: string, owner: SecretOwner): Promise<string>;
}
