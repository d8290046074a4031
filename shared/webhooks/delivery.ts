import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { randomUUID } from 'node:crypto';
import { managesWorkspaceNow } from '../tracking/member-access.ts';
import type { TrackingRepository } from '../tracking/ports.ts';
import { deliveryAddresses, resolveHost, type Resolve } from './destination.ts';
import type { Delivery } from './model.ts';
import { WEBHOOK_TEST_EVENT, type DeliveryAttempt, type SecretBox, type WebhookDisabledReason, type WebhookLog, type WebhookRepository, type WebhookSubscription } from './model.ts';

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

/** Receives of one delivery before its queue moves it to the dead-letter queue: the first attempt and every retry. */
export const MAX_DELIVERY_RECEIVES = RETRY_DELAYS_SECONDS.length + 1;

/** SQS delays a message at most 12 hours: a longer Retry-After is waited for that long. */
export const MAX_RETRY_AFTER_SECONDS = 12 * 60 * 60;

/**
 * Its `outcome` is one of WEBHOOK_ATTEMPT_OUTCOMES (the metric's, docs/operations.md).
 * `disabled`: this attempt's 410 turned the webhook off. `retryAfterSeconds`: the receiver's
 * Retry-After (429, 503), which the next attempt must not come before.
 */
export type AttemptOutcome = (
  | { outcome: 'delivered'; status: number }
  | { outcome: 'dropped'; reason: string; disabled?: WebhookDisabledReason }
  | { outcome: 'retry'; reason: string; retryAfterSeconds?: number }
) & {
  /** What the delivery log records of an attempt that was made (it was not dropped before sending): when, the answer's status or why none, how long. */
  sent?: { at: Date; statusCode: number | null; error: string | null; durationMs: number };
  /** The subscription as it was read for this attempt. */
  subscription?: WebhookSubscription;
};

/** The delay before the retry after attempt `attempt` (from 1): the schedule's, or longer when the receiver asked; undefined after the last. */
export function retryDelaySeconds(attempt: number, result: { retryAfterSeconds?: number }): number | undefined {
  const scheduled = RETRY_DELAYS_SECONDS[attempt - 1];
  if (scheduled === undefined) return undefined;
  return Math.min(Math.max(scheduled, result.retryAfterSeconds ?? 0), MAX_RETRY_AFTER_SECONDS);
}

/** `Retry-After` as seconds from `now`: a number of seconds or an HTTP date (RFC 9110); undefined when absent or unreadable. */
export function retryAfterSecondsOf(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{1,10}$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

export type DeliveryDeps = {
  getSubscription: (workspaceId: number, id: string) => Promise<WebhookSubscription | undefined>;
  resolve: Resolve;
  allowLoopbackHttp: boolean;
  now: () => Date;
  /** Turns the webhook off (its receiver answered 410 Gone, its creator lost access, it kept failing). */
  disable: (workspaceId: number, id: string, reason: WebhookDisabledReason) => Promise<unknown>;
  /** Opens a sealed secret (SecretBox.open): KMS may be unavailable, which is a retry like any other. */
  openSecret: SecretBox['open'];
  /** Whether a user still manages the workspace (owner or executive manager, active): a webhook's creator must. */
  stillManages: (workspaceId: number, userId: number) => Promise<boolean>;
  post?: typeof postOnce;
  /** The attempt's deadline (DELIVERY_TIMEOUT_MS unless the caller has less time left). */
  deadlineMs?: number;
};

export async function attemptDelivery(delivery: Delivery, deps: DeliveryDeps): Promise<AttemptOutcome> {
  const subscription = await deps.getSubscription(delivery.workspaceId, delivery.subscriptionId);
  if (!subscription) return { outcome: 'dropped', reason: 'webhook deleted' };
  if (subscription.status === 'disabled') return { outcome: 'dropped', reason: 'webhook disabled' };
  if (delivery.type !== WEBHOOK_TEST_EVENT && !subscription.events.includes(delivery.type)) return { outcome: 'dropped', reason: 'event no longer subscribed' };
  // A demoted manager must not keep receiving the workspace's activity through the webhook they made.
  if (subscription.createdBy !== null && !(await deps.stillManages(delivery.workspaceId, subscription.createdBy))) {
    await deps.disable(delivery.workspaceId, delivery.subscriptionId, 'creator_lost_access');
    return { outcome: 'dropped', reason: 'its creator no longer manages the workspace: webhook disabled', disabled: 'creator_lost_access' };
  }
  const url = new URL(subscription.url);
  const deadlineMs = deps.deadlineMs ?? DELIVERY_TIMEOUT_MS;
  const signal = AbortSignal.timeout(deadlineMs);
  const destination = await beforeDeadline(deliveryAddresses(url, { allowLoopbackHttp: deps.allowLoopbackHttp, resolve: deps.resolve }), signal, deadlineMs).catch(
    (error: Error) => ({ retry: signal.aborted ? error.message : 'host did not resolve' }) as const,
  );
  const startedAt = deps.now();
  const elapsed = () => Math.max(0, deps.now().getTime() - startedAt.getTime());
  if ('retry' in destination) return { outcome: 'retry', reason: destination.retry, subscription, sent: { at: startedAt, statusCode: null, error: destination.retry, durationMs: elapsed() } };
  if ('refused' in destination) return { outcome: 'dropped', reason: destination.refused, subscription, sent: { at: startedAt, statusCode: null, error: destination.refused, durationMs: elapsed() } };
  const sentAt = deps.now();
  const headers = {
    'content-type': 'application/json',
    'webhook-id': delivery.messageId,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': signatureOf(await secretsOf(subscription, sentAt, deps.openSecret), delivery, sentAt),
    'user-agent': 'time-tracking-api-webhooks/1',
  };
  let answer: { status: number; retryAfter?: string };
  try {
    answer = await (deps.post ?? postOnce)(url, destination.addresses[0]!, headers, delivery.payload, signal);
  } catch (error) {
    return { outcome: 'retry', reason: (error as Error).message, subscription, sent: { at: startedAt, statusCode: null, error: (error as Error).message, durationMs: elapsed() } };
  }
  const { status } = answer;
  const sent = { at: startedAt, statusCode: status, error: null, durationMs: elapsed() };
  if (status >= 200 && status < 300) return { outcome: 'delivered', status, subscription, sent };
  // The Standard Webhooks way to say "this endpoint is gone": stop sending to it at once.
  if (status === 410) {
    await deps.disable(delivery.workspaceId, delivery.subscriptionId, 'gone');
    return { outcome: 'dropped', reason: 'answered 410: webhook disabled', disabled: 'gone', subscription, sent };
  }
  const retryAfterSeconds = status === 429 || status === 503 ? retryAfterSecondsOf(answer.retryAfter, deps.now()) : undefined;
  return { outcome: 'retry', reason: `answered ${status}`, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }), subscription, sent };
}

/**
 * `webhook-signature`: signed with the current secret and, for the rotation's overlap, with
 * the previous one too, space-separated as the Standard Webhooks specification describes: a
 * receiver verifying with either secret accepts the delivery.
 */
export function signatureOf(secrets: readonly string[], delivery: Pick<Delivery, 'messageId' | 'payload'>, at: Date): string {
  return secrets.map((secret) => new Webhook(secret).sign(delivery.messageId, at, delivery.payload)).join(' ');
}

/** The secrets a delivery at `at` is signed with, opened: the current one, and the previous one during the rotation's overlap. */
async function secretsOf(subscription: WebhookSubscription, at: Date, open: DeliveryDeps['openSecret']): Promise<string[]> {
  const owner = { workspaceId: subscription.workspaceId, webhookId: subscription.id };
  const inOverlap = subscription.sealedPreviousSecret !== null && subscription.previousSecretUntil !== null && at.getTime() < Date.parse(subscription.previousSecretUntil);
  return Promise.all([subscription.sealedSecret, ...(inOverlap ? [subscription.sealedPreviousSecret!] : [])].map((sealed) => open(sealed, owner)));
}

export type LoggedDeliveryDeps = DeliveryDeps & {
  recordAttempt: (attempt: DeliveryAttempt) => Promise<void>;
  setFailing: (workspaceId: number, id: string, since: string | null) => Promise<void>;
  newAttemptId: () => string;
  /** The failing window (FAILING_DISABLE_AFTER_SECONDS unless configured shorter, for tests). */
  failingDisableAfterSeconds: number;
  /** A factor on the retry delays where the runtime scales them (npm start): the log's next_attempt_at says when it really comes. */
  retryScale?: number;
  warn: (message: string, details: Record<string, unknown>) => void;
};

/** The dependencies of a logged attempt from the runtime's adapters: the same in the delivery function and in `npm start`. */
export function loggedDeliveryDeps(
  ports: { webhooks: WebhookRepository; log: WebhookLog; tracking: TrackingRepository; secrets: SecretBox },
  config: { allowLoopbackHttp: boolean; failingDisableAfterSeconds: number; retryScale: number; warn: LoggedDeliveryDeps['warn'] },
): LoggedDeliveryDeps {
  return {
    getSubscription: ports.webhooks.get,
    resolve: resolveHost,
    allowLoopbackHttp: config.allowLoopbackHttp,
    now: () => new Date(),
    disable: (workspaceId, id, reason) => ports.webhooks.setStatus(workspaceId, id, { status: 'disabled', reason }),
    openSecret: ports.secrets.open,
    stillManages: (workspaceId, userId) => managesWorkspaceNow(userId, workspaceId, ports.tracking),
    recordAttempt: ports.log.recordAttempt,
    setFailing: ports.webhooks.setFailing,
    newAttemptId: randomUUID,
    failingDisableAfterSeconds: config.failingDisableAfterSeconds,
    retryScale: config.retryScale,
    warn: config.warn,
  };
}

/**
 * One attempt as every runtime makes it (the delivery function, `npm start`): the attempt,
 * then its entry in the delivery log and the webhook's failing record. `delaySeconds`: when
 * to try again (undefined: never). A delivery counts as made once the receiver answered, so
 * a failure to write the log is a warning, never a resend.
 */
export async function deliverAndLog(delivery: Delivery, attempt: number, deps: LoggedDeliveryDeps): Promise<{ result: AttemptOutcome; delaySeconds: number | undefined }> {
  let result = await attemptDelivery(delivery, deps);
  let delaySeconds = result.outcome === 'retry' ? retryDelaySeconds(attempt, result) : undefined;
  const { sent, subscription } = result;
  if (!sent || !subscription) return { result, delaySeconds };
  const failed = result.outcome !== 'delivered';
  // Every attempt of every event in the window failed: this webhook is dead, stop sending to it.
  if (failed && result.outcome === 'retry' && subscription.failingSince && sent.at.getTime() - Date.parse(subscription.failingSince) >= deps.failingDisableAfterSeconds * 1000) {
    await deps.disable(delivery.workspaceId, delivery.subscriptionId, 'failing');
    result = { outcome: 'dropped', reason: `every attempt failed since ${subscription.failingSince}: webhook disabled`, disabled: 'failing', sent, subscription };
    delaySeconds = undefined;
  }
  const nextAttemptAt = delaySeconds === undefined ? null : new Date(sent.at.getTime() + sent.durationMs + delaySeconds * 1000 * (deps.retryScale ?? 1)).toISOString();
  const bookkeeping: Array<Promise<void>> = [
    deps.recordAttempt({
      id: deps.newAttemptId(),
      workspaceId: delivery.workspaceId,
      subscriptionId: delivery.subscriptionId,
      messageId: delivery.messageId,
      type: delivery.type,
      attempt,
      statusCode: sent.statusCode,
      error: sent.error ?? (result.outcome === 'delivered' ? null : result.reason),
      durationMs: sent.durationMs,
      at: sent.at.toISOString(),
      nextAttemptAt,
    }),
  ];
  if (failed && !subscription.failingSince) bookkeeping.push(deps.setFailing(delivery.workspaceId, delivery.subscriptionId, sent.at.toISOString()));
  if (!failed && subscription.failingSince) bookkeeping.push(deps.setFailing(delivery.workspaceId, delivery.subscriptionId, null));
  for (const outcome of await Promise.allSettled(bookkeeping)) {
    if (outcome.status === 'rejected') deps.warn('webhook attempt not recorded', { webhook_id: delivery.messageId, error: (outcome.reason as Error).name });
  }
  return { result, delaySeconds };
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
export function postOnce(
  url: URL,
  address: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal = AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
): Promise<{ status: number; retryAfter?: string }> {
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
        const retryAfter = response.headers['retry-after'];
        resolve({ status: response.statusCode ?? 0, ...(typeof retryAfter === 'string' ? { retryAfter } : {}) });
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
