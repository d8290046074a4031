import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { deliveryAddresses, type Resolve } from './destination.ts';
import type { Delivery } from './events.ts';
import type { WebhookSubscription } from './model.ts';

/**
 * One delivery attempt, following the Standard Webhooks specification: POST the payload with
 * `webhook-id` (stable), `webhook-timestamp` (this attempt, Unix seconds) and
 * `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` keyed with the
 * secret's bytes). A 2xx within 5 s delivers; anything else is retried by the caller's
 * schedule. The subscription is read again first: a deleted webhook gets nothing more.
 */
export const DELIVERY_TIMEOUT_MS = 5000;

/** Delays before each retry, in seconds (the spec's example schedule): about a day in all, then the dead-letter queue. */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;

export type AttemptOutcome = { outcome: 'delivered'; status: number } | { outcome: 'dropped'; reason: string } | { outcome: 'retry'; reason: string };

export type DeliveryDeps = {
  getSubscription: (workspaceId: number, id: string) => Promise<WebhookSubscription | undefined>;
  resolve: Resolve;
  allowLoopbackHttp: boolean;
  now: () => Date;
  post?: typeof postOnce;
};

export async function attemptDelivery(delivery: Delivery, deps: DeliveryDeps): Promise<AttemptOutcome> {
  const subscription = await deps.getSubscription(delivery.workspaceId, delivery.subscriptionId);
  if (!subscription) return { outcome: 'dropped', reason: 'webhook deleted' };
  if (!subscription.events.includes(delivery.type)) return { outcome: 'dropped', reason: 'event no longer subscribed' };
  const url = new URL(subscription.url);
  const destination = await deliveryAddresses(url, { allowLoopbackHttp: deps.allowLoopbackHttp, resolve: deps.resolve }).catch(() => ({ retry: 'host did not resolve' }) as const);
  if ('retry' in destination) return { outcome: 'retry', reason: destination.retry };
  if ('refused' in destination) return { outcome: 'dropped', reason: destination.refused };
  const sentAt = deps.now();
  const headers = {
    'content-type': 'application/json',
    'webhook-id': delivery.messageId,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': new Webhook(subscription.secret).sign(delivery.messageId, sentAt, delivery.payload),
    'user-agent': 'time-tracking-api-webhooks/1',
  };
  try {
    const status = await (deps.post ?? postOnce)(url, destination.addresses[0]!, headers, delivery.payload);
    return status >= 200 && status < 300 ? { outcome: 'delivered', status } : { outcome: 'retry', reason: `answered ${status}` };
  } catch (error) {
    return { outcome: 'retry', reason: (error as Error).message };
  }
}

/** POST to exactly the address that was checked (no second DNS lookup to rebind), within the timeout. */
export function postOnce(url: URL, address: string, headers: Record<string, string>, body: string): Promise<number> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: DELIVERY_TIMEOUT_MS,
        lookup: (_host, options, callback) => {
          const family = isIP(address);
          if ((options as { all?: boolean }).all) (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
          else (callback as (error: null, address: string, family: number) => void)(null, address, family);
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${DELIVERY_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
