import { FAILING_DISABLE_AFTER_SECONDS } from '../webhooks/model.ts';
import { envReader, type Env } from './read-env.ts';

export type WebhookConfig = {
  /** Plain http to a loopback host is allowed (only `npm start` sets it). */
  allowLoopbackHttp: boolean;
  /** A factor on every retry delay (tests: 0.01 turns 5 s into 50 ms). */
  retryScale: number;
  /** A webhook all of whose attempts failed for this long is disabled (5 days; tests set seconds). */
  failingDisableAfterSeconds: number;
};

export function loadWebhookConfig(env: Env = process.env): WebhookConfig {
  const read = envReader(env);
  const config = {
    allowLoopbackHttp: read.optional('WEBHOOK_ALLOW_HTTP_LOOPBACK', 'false', (value) => (value === 'true' || value === 'false' ? undefined : 'must be true or false')) === 'true',
    retryScale: Number(read.optional('WEBHOOK_RETRY_SCALE', '1', (value) => (/^\d+(\.\d+)?$/.test(value) && Number(value) > 0 && Number(value) <= 1 ? undefined : 'must be a number in (0, 1]'))),
    failingDisableAfterSeconds: Number(
      read.optional('WEBHOOK_FAILING_DISABLE_AFTER_SECONDS', String(FAILING_DISABLE_AFTER_SECONDS), (value) =>
        /^[1-9]\d{0,9}$/.test(value) ? undefined : 'must be a whole number of seconds, at least 1',
      ),
    ),
  };
  read.done();
  return config;
}
