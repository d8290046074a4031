import { envReader, type Env } from './read-env.ts';

export type WebhookConfig = {
  /** Plain http to a loopback host is allowed (only `npm start` sets it). */
  allowLoopbackHttp: boolean;
  /** A factor on every retry delay (tests: 0.01 turns 5 s into 50 ms). */
  retryScale: number;
};

export function loadWebhookConfig(env: Env = process.env): WebhookConfig {
  const read = envReader(env);
  const config = {
    allowLoopbackHttp: read.optional('WEBHOOK_ALLOW_HTTP_LOOPBACK', 'false', (value) => (value === 'true' || value === 'false' ? undefined : 'must be true or false')) === 'true',
    retryScale: Number(read.optional('WEBHOOK_RETRY_SCALE', '1', (value) => (/^\d+(\.\d+)?$/.test(value) && Number(value) > 0 && Number(value) <= 1 ? undefined : 'must be a number in (0, 1]'))),
  };
  read.done();
  return config;
}
