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
 * secret's bytes). A 2xx status line within the deadline delivers; anything else is retried
 * by the caller's schedule. The subscription is read again first: a deleted webhook gets
 * nothing more, and only what is read there (URL, secret) is used to send.
 *
 * One hard deadline covers the whole attempt after that read: DNS, connect, TLS, sending,
 * and the status line. The attempt settles on the status line and never reads the body, so a
 * receiver that trickles bytes cannot hold it open.
 */
export const DELIVERY_TIMEOUT_MS = 5000;

/** The deadline of each attempt of a batch: the usual one, or less when the invocation has less time left (a second kept to report the batch). */
export const attemptDeadlineMs = (remainingMs: number) => Math.max(1, Math.min(DELIVERY_TIMEOUT_MS, remainingMs - 1000));

/** Delays before each retry, in seconds (the spec's example schedule): about a day in all, then the dead-letter queue. */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;

/** Its `outcome` is one of WEBHOOK_ATTEMPT_OUTCOMES (the metric's, docs/operations.md). */
export type AttemptOutcome = { outcome: 'delivered'; status: number } | { outcome: 'dropped'; reason: string } | { outcome: 'retry'; reason: string };

export type DeliveryDeps = {
  getSubscription: (workspaceId: number, id: string) => Promise<WebhookSubscription | undefined>;
  resolve: Resolve;
  allowLoopbackHttp: boolean;
  now: () => Date;
  post?: typeof postOnce;
  /** The attempt's deadline (DELIVERY_TIMEOUT_MS unless the caller has less time left). */
  deadlineMs?: number;
};

export async function attemptDelivery(delivery: Delivery, deps: DeliveryDeps): Promise<AttemptOutcome> {
  const subscription = await deps.getSubscription(delivery.workspaceId, delivery.subscriptionId);
  if (!subscription) return { outcome: 'dropped', reason: 'webhook deleted' };
  if (!subscription.events.includes(delivery.type)) return { outcome: 'dropped', reason: 'event no longer subscribed' };
  const url = new URL(subscription.url);
  const deadlineMs = deps.deadlineMs ?? DELIVERY_TIMEOUT_MS;
  const signal = AbortSignal.timeout(deadlineMs);
  const destination = await beforeDeadline(deliveryAddresses(url, { allowLoopbackHttp: deps.allowLoopbackHttp, resolve: deps.resolve }), signal, deadlineMs).catch(
    (error: Error) => ({ retry: signal.aborted ? error.message : 'host did not resolve' }) as const,
  );
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
    const status = await (deps.post ?? postOnce)(url, destination.addresses[0]!, headers, delivery.payload, signal);
    return status >= 200 && status < 300 ? { outcome: 'delivered', status } : { outcome: 'retry', reason: `answered ${status}` };
  } catch (error) {
    return { outcome: 'retry', reason: (error as Error).message };
  }
}

/** Rejects when `signal` aborts first (a lookup cannot be cancelled, but it is no longer waited for). */
function beforeDeadline<T>(work: Promise<T>, signal: AbortSignal, deadlineMs: number): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error(`no answer within ${deadlineMs} ms`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(`no answer within ${deadlineMs} ms`));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * POST to exactly the address that was checked (no second DNS lookup to rebind). Settles on
 * the status line; the body of the answer is not read (the socket is closed). `signal` ends
 * everything still open at the attempt's deadline.
 */
export function postOnce(url: URL, address: string, headers: Record<string, string>, body: string, signal: AbortSignal = AbortSignal.timeout(DELIVERY_TIMEOUT_MS)): Promise<number> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('no answer before the deadline'));
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: false,
        lookup: (_host, options, callback) => {
          const family = isIP(address);
          if ((options as { all?: boolean }).all) (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
          else (callback as (error: null, address: string, family: number) => void)(null, address, family);
        },
      },
      (response) => {
        signal.removeEventListener('abort', onAbort);
        resolve(response.statusCode ?? 0);
        response.destroy();
      },
    );
    const onAbort = () => request.destroy(new Error('no answer before the deadline'));
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    request.end(body);
  });
}
