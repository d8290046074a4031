/** Webhook subscriptions and the events they receive (docs/webhooks.md). */
import type { WebhookEventType } from '../contracts/webhook-events.ts';

export type { WebhookEventType };

export type WebhookSubscription = {
  id: string;
  workspaceId: number;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  /** Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
  secret: string;
  createdAt: string;
  /** A disabled webhook receives nothing until it is enabled again (PATCH). */
  status: 'enabled' | 'disabled';
  /** Why it was disabled: its receiver answered 410 Gone, or someone asked (PATCH). */
  disabledReason: WebhookDisabledReason | null;
};

export const WEBHOOK_DISABLED_REASONS = ['gone', 'requested'] as const;
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
}
