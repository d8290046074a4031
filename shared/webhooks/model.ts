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
};

/** A workspace may have this many webhooks. */
export const MAX_WEBHOOKS_PER_WORKSPACE = 10;

export interface WebhookRepository {
  /** Stores the subscription unless the workspace already has `max`. */
  create(subscription: WebhookSubscription, max: number): Promise<'created' | 'limit_reached'>;
  list(workspaceId: number): Promise<WebhookSubscription[]>;
  get(workspaceId: number, id: string): Promise<WebhookSubscription | undefined>;
  delete(workspaceId: number, id: string): Promise<'deleted' | 'not_found'>;
}
