import { NotFoundError, ValidationError } from '../errors.ts';
import { toApiTimestamp } from '../tracking/api-time.ts';
import { assertManagesWorkspaceNow } from '../tracking/member-access.ts';
import { paginate, type Pagination } from '../tracking/pagination.ts';
import type { TrackingRepository } from '../tracking/ports.ts';
import { urlProblem } from './destination.ts';
import { MAX_WEBHOOKS_PER_WORKSPACE, type WebhookEventType, type WebhookRepository, type WebhookSubscription } from './model.ts';

type Deps = { repository: TrackingRepository; webhooks: WebhookRepository };

/**
 * Subscribes a URL to a workspace's tracker events. The URL is a field (check 4, 422)
 * before the caller's role (check 5, 403); the 10-per-workspace limit is checked in the
 * same transaction that stores the webhook.
 */
export async function createWebhook(
  actorUserId: number,
  command: { workspaceId: number; url: string; events: WebhookEventType[]; description: string | null },
  deps: Deps & { now: Date; newId: () => string; newSecret: () => string; allowLoopbackHttp: boolean },
): Promise<WebhookSubscription> {
  const problem = urlProblem(command.url, { allowLoopbackHttp: deps.allowLoopbackHttp });
  if (problem) throw new ValidationError({ url: [problem] });
  await assertManagesWorkspaceNow(actorUserId, command.workspaceId, deps.repository);
  const subscription: WebhookSubscription = {
    id: deps.newId(),
    workspaceId: command.workspaceId,
    url: command.url,
    events: [...new Set(command.events)],
    description: command.description,
    secret: deps.newSecret(),
    createdAt: toApiTimestamp(deps.now),
    status: 'enabled',
    disabledReason: null,
  };
  if ((await deps.webhooks.create(subscription, MAX_WEBHOOKS_PER_WORKSPACE)) === 'limit_reached') {
    throw new ValidationError({ workspace_id: [`The workspace already has ${MAX_WEBHOOKS_PER_WORKSPACE} webhooks.`] });
  }
  return subscription;
}

export async function listWebhooks(actorUserId: number, query: { workspaceId: number; page: number; perPage: number }, deps: Deps): Promise<{ webhooks: WebhookSubscription[]; pagination: Pagination }> {
  await assertManagesWorkspaceNow(actorUserId, query.workspaceId, deps.repository);
  const { items, pagination } = paginate(await deps.webhooks.list(query.workspaceId), query.page, query.perPage);
  return { webhooks: items, pagination };
}

/** Turns a webhook off (it receives nothing) or back on (it receives the events from then on). */
export async function setWebhookStatus(actorUserId: number, command: { workspaceId: number; id: string; status: 'enabled' | 'disabled' }, deps: Deps): Promise<WebhookSubscription> {
  await assertManagesWorkspaceNow(actorUserId, command.workspaceId, deps.repository);
  const changed = await deps.webhooks.setStatus(command.workspaceId, command.id, command.status === 'enabled' ? { status: 'enabled' } : { status: 'disabled', reason: 'requested' });
  if (!changed) throw new NotFoundError('The selected webhook was not found in this workspace.');
  return changed;
}

export async function deleteWebhook(actorUserId: number, command: { workspaceId: number; id: string }, deps: Deps): Promise<void> {
  await assertManagesWorkspaceNow(actorUserId, command.workspaceId, deps.repository);
  if ((await deps.webhooks.delete(command.workspaceId, command.id)) === 'not_found') throw new NotFoundError('The selected webhook was not found in this workspace.');
}
