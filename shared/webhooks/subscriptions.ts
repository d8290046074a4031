import { NotFoundError, RateLimitedError, ReplayInProgressError, ValidationError } from '../errors.ts';
import { toApiTimestamp } from '../tracking/api-time.ts';
import { assertManagesWorkspaceNow } from '../tracking/member-access.ts';
import { paginate, type Pagination } from '../tracking/pagination.ts';
import type { TrackingRepository } from '../tracking/ports.ts';
import { urlProblem } from './destination.ts';
import { deliveryOf } from './events.ts';
import {
  MAX_REPLAY_MESSAGES,
  MAX_WEBHOOKS_PER_WORKSPACE,
  REPLAY_LEASE_SECONDS,
  TEST_EVENT_INTERVAL_SECONDS,
  WEBHOOK_LOG_RETENTION_SECONDS,
  WEBHOOK_TEST_EVENT,
  type DeliveryAttempt,
  type StoredMessage,
  type WebhookEventType,
  type WebhookLog,
  type SecretBox,
  type WebhookQueue,
  type WebhookRepository,
  type WebhookSubscription,
} from './model.ts';

type Deps = { repository: TrackingRepository; webhooks: WebhookRepository };

/**
 * Subscribes a URL to a workspace's tracker events. The URL is a field (check 4, 422)
 * before the caller's role (check 5, 403); the 10-per-workspace limit is checked in the
 * same transaction that stores the webhook.
 */
export async function createWebhook(
  actorUserId: number,
  command: { workspaceId: number; url: string; events: WebhookEventType[]; description: string | null },
  deps: Deps & { now: Date; newId: () => string; newSecret: () => string; secrets: SecretBox; allowLoopbackHttp: boolean },
): Promise<{ subscription: WebhookSubscription; secret: string }> {
  const problem = urlProblem(command.url, { allowLoopbackHttp: deps.allowLoopbackHttp });
  if (problem) throw new ValidationError({ url: [problem] });
  await assertManagesWorkspaceNow(actorUserId, command.workspaceId, deps.repository);
  const id = deps.newId();
  const secret = deps.newSecret();
  const subscription: WebhookSubscription = {
    id,
    workspaceId: command.workspaceId,
    url: command.url,
    events: [...new Set(command.events)],
    description: command.description,
    sealedSecret: await deps.secrets.seal(secret, { workspaceId: command.workspaceId, webhookId: id }),
    sealedPreviousSecret: null,
    previousSecretUntil: null,
    createdAt: toApiTimestamp(deps.now),
    createdBy: actorUserId,
    failingSince: null,
    status: 'enabled',
    disabledReason: null,
  };
  if ((await deps.webhooks.create(subscription, MAX_WEBHOOKS_PER_WORKSPACE)) === 'limit_reached') {
    throw new ValidationError({ workspace_id: [`The workspace already has ${MAX_WEBHOOKS_PER_WORKSPACE} webhooks.`] });
  }
  return { subscription, secret };
}

export async function listWebhooks(
  actorUserId: number,
  query: { workspaceId: number; page: number; perPage: number },
  deps: Deps,
): Promise<{ webhooks: WebhookSubscription[]; pagination: Pagination }> {
  await assertManagesWorkspaceNow(actorUserId, query.workspaceId, deps.repository);
  const { items, pagination } = paginate(await deps.webhooks.list(query.workspaceId), query.page, query.perPage);
  return { webhooks: items, pagination };
}

/** Turns a webhook off (it receives nothing) or back on (it receives the events from then on). */
export async function setWebhookStatus(actorUserId: number, command: { workspaceId: number; id: string; status: 'enabled' | 'disabled' }, deps: Deps): Promise<WebhookSubscription> {
  await assertManagesWorkspaceNow(actorUserId, command.workspaceId, deps.repository);
  const changed = await deps.webhooks.setStatus(command.workspaceId, command.id, command.status === 'enabled' ? { status: 'enabled' } : { status: 'disabled', reason: 'requested' });
  if (!changed) throw notFound();
  return changed;
}

export async function deleteWebhook(actorUserId: number, command: { workspaceId: number; id: string }, deps: Deps): Promise<void> {
  await assertManagesWorkspaceNow(actorUserId, command.workspaceId, deps.repository);
  if ((await deps.webhooks.delete(command.workspaceId, command.id)) === 'not_found') throw notFound();
}

/** How long a rotated-out secret still signs every delivery beside the new one. */
export const SECRET_ROTATION_OVERLAP_SECONDS = 24 * 60 * 60;

const notFound = () => new NotFoundError('The selected webhook was not found in this workspace.');

/** The caller manages the workspace (check 5) and the webhook is one of it (404 otherwise). */
async function managedWebhook(actorUserId: number, command: { workspaceId: number; id: string }, deps: Deps): Promise<WebhookSubscription> {
  return (await managedWebhookWith(actorUserId, command, deps, async () => undefined))[0];
}

/** managedWebhook, with a read of the webhook's own (its log) alongside the webhook's: one round trip, its result dropped on a 404. */
async function managedWebhookWith<T>(actorUserId: number, command: { workspaceId: number; id: string }, deps: Deps, alongside: () => Promise<T>): Promise<[WebhookSubscription, T]> {
  await assertManagesWorkspaceNow(actorUserId, command.workspaceId, deps.repository);
  const [subscription, read] = await Promise.all([deps.webhooks.get(command.workspaceId, command.id), alongside()]);
  if (!subscription) throw notFound();
  return [subscription, read];
}

/** Sending to a disabled webhook would be dropped unseen: refused, so that the caller enables it first. */
function assertEnabled(subscription: WebhookSubscription) {
  if (subscription.status === 'disabled') throw new ValidationError({ id: ['The webhook is disabled: enable it (PATCH) before sending to it.'] });
}

/** The attempts of the retention window (7 days), newest first. */
export async function listWebhookDeliveries(
  actorUserId: number,
  query: { workspaceId: number; id: string; cursor?: string; perPage: number },
  deps: Deps & { log: WebhookLog; now: Date },
): Promise<{ attempts: DeliveryAttempt[]; nextCursor: string | null }> {
  const [, page] = await managedWebhookWith(actorUserId, query, deps, () =>
    deps.log.attempts(query.workspaceId, query.id, { ...(query.cursor === undefined ? {} : { cursor: query.cursor }), perPage: query.perPage }, deps.now),
  );
  return page;
}

/** Sends one logged message again: the same webhook-id and body, a new timestamp and signature. */
export async function redeliverMessage(
  actorUserId: number,
  command: { workspaceId: number; id: string; messageId: string },
  deps: Deps & { log: WebhookLog; queue: WebhookQueue },
): Promise<StoredMessage> {
  const [subscription, message] = await managedWebhookWith(actorUserId, command, deps, () => deps.log.message(command.workspaceId, command.id, command.messageId));
  assertEnabled(subscription);
  if (!message) throw new NotFoundError('The selected message was not found in the delivery log of this webhook.');
  await deps.queue.send([{ message: deliveryOf(message) }]);
  return message;
}

/**
 * Sends again, in the order they happened, the events of the webhook since `since` (at most
 * the retention window back). One replay at a time per webhook (another → 409 naming it),
 * and at most MAX_REPLAY_MESSAGES: a longer range ends at the time of its last message
 * (`until`), from where the next replay goes on once this one has ended. Nothing to send:
 * nothing is queued and no slot taken.
 */
export async function replayWebhook(
  actorUserId: number,
  command: { workspaceId: number; id: string; since: string },
  deps: Deps & { log: WebhookLog; queue: WebhookQueue; now: Date; newReplayId: () => string },
): Promise<{ id: string | null; since: string; until: string; count: number }> {
  const since = Date.parse(command.since);
  if (Number.isNaN(since)) throw new ValidationError({ since: ['The since field must be a valid time.'] });
  if (since < deps.now.getTime() - WEBHOOK_LOG_RETENTION_SECONDS * 1000) throw new ValidationError({ since: ['The since field must be at most 7 days ago.'] });
  if (since > deps.now.getTime()) throw new ValidationError({ since: ['The since field must not be in the future.'] });
  const [subscription, counted] = await managedWebhookWith(actorUserId, command, deps, () =>
    deps.log.countBetween(command.workspaceId, command.id, { since: toApiTimestamp(new Date(since)), until: toApiTimestamp(deps.now) }, MAX_REPLAY_MESSAGES),
  );
  assertEnabled(subscription);
  const range = { since: toApiTimestamp(new Date(since)), until: counted.lastOccurredAt ? toApiTimestamp(new Date(counted.lastOccurredAt)) : toApiTimestamp(deps.now) };
  if (counted.count === 0) return { id: null, ...range, count: 0 };
  const replay = { id: deps.newReplayId(), ...range, leaseUntil: new Date(deps.now.getTime() + REPLAY_LEASE_SECONDS * 1000).toISOString() };
  const claimed = await deps.webhooks.claimReplay(command.workspaceId, command.id, replay, deps.now);
  if (claimed === 'not_found') throw notFound();
  if (claimed !== 'claimed') throw new ReplayInProgressError(claimed.running);
  try {
    await deps.queue.send([{ message: { kind: 'replay', workspaceId: command.workspaceId, subscriptionId: command.id, ...range, replayId: replay.id, remaining: counted.count } }]);
  } catch (error) {
    // Nothing was queued: the slot is free again for the client's retry.
    await deps.webhooks.endReplay(command.workspaceId, command.id, replay.id).catch(() => {});
    throw error;
  }
  return { id: replay.id, ...range, count: counted.count };
}

/** Queues a `webhook.test` event for the webhook now (kept in its log like any message). */
export async function sendTestEvent(
  actorUserId: number,
  command: { workspaceId: number; id: string },
  deps: Deps & { log: WebhookLog; queue: WebhookQueue; now: Date; newMessageId: () => string },
): Promise<StoredMessage> {
  assertEnabled(await managedWebhook(actorUserId, command, deps));
  // At most one a minute per webhook: each is kept in its log and sent through the queue every workspace shares.
  const claimed = await deps.webhooks.claimTest(command.workspaceId, command.id, deps.now, TEST_EVENT_INTERVAL_SECONDS);
  if (claimed === 'not_found') throw notFound();
  if ('retryAfterSeconds' in claimed) throw new RateLimitedError(claimed.retryAfterSeconds);
  const timestamp = toApiTimestamp(deps.now);
  const message: StoredMessage = {
    workspaceId: command.workspaceId,
    subscriptionId: command.id,
    messageId: deps.newMessageId(),
    type: WEBHOOK_TEST_EVENT,
    payload: JSON.stringify({ type: WEBHOOK_TEST_EVENT, timestamp, data: { webhook_id: command.id, workspace_id: command.workspaceId } }),
    occurredAt: timestamp,
  };
  try {
    await deps.log.recordMessages([message], deps.now);
    await deps.queue.send([{ message: deliveryOf(message) }]);
  } catch (error) {
    // Nothing the client can count on was sent: its minute is given back, so that its retry is not refused.
    await deps.webhooks.releaseTest(command.workspaceId, command.id, deps.now, claimed.claimed).catch(() => {});
    throw error;
  }
  return message;
}

/** A new signing secret; the old one still signs beside it for SECRET_ROTATION_OVERLAP_SECONDS. */
export async function rotateWebhookSecret(
  actorUserId: number,
  command: { workspaceId: number; id: string },
  deps: Deps & { now: Date; newSecret: () => string; secrets: SecretBox },
): Promise<{ subscription: WebhookSubscription; secret: string }> {
  await assertManagesWorkspaceNow(actorUserId, command.workspaceId, deps.repository);
  const secret = deps.newSecret();
  const rotated = await deps.webhooks.rotateSecret(command.workspaceId, command.id, {
    sealedSecret: await deps.secrets.seal(secret, { workspaceId: command.workspaceId, webhookId: command.id }),
    previousUntil: toApiTimestamp(new Date(deps.now.getTime() + SECRET_ROTATION_OVERLAP_SECONDS * 1000)),
  });
  if (!rotated) throw notFound();
  return { subscription: rotated, secret };
}
