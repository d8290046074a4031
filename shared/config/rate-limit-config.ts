import { envReader, type Env } from './read-env.ts';

export type RateLimitConfig = {
  /** Requests per window per authenticated user; 0 turns the limit off. */
  perWindow: number;
  windowSeconds: number;
};

/**
 * RATE_LIMIT_PER_MINUTE (default 60, 0: off): the API's documented "60 requests per minute
 * per authenticated user". RATE_LIMIT_WINDOW_SECONDS (default 60) exists for tests and
 * tuning; the limit is then per that window.
 */
export function loadRateLimitConfig(env: Env = process.env): RateLimitConfig {
  const read = envReader(env);
  const whole = (max: number) => (value: string) => (/^\d{1,7}$/.test(value) && Number(value) <= max ? undefined : `must be a whole number from 0 to ${max}`);
  const config = {
    perWindow: Number(read.optional('RATE_LIMIT_PER_MINUTE', '60', whole(1_000_000))),
    windowSeconds: Number(read.optional('RATE_LIMIT_WINDOW_SECONDS', '60', (value) => (/^[1-9]\d{0,4}$/.test(value) && Number(value) <= 3600 ? undefined : 'must be 1-3600'))),
  };
  read.done();
  return config;
}
