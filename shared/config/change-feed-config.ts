import { envReader, type Env } from './read-env.ts';

/**
 * How long a change waits before the feed shows it (docs/change-feed.md, "Settling"): longer
 * than a write may take between reading its time and committing (every function's timeout,
 * 10 s) plus the index's propagation (usually well under a second). Infra's test holds it
 * above the function timeout.
 */
export const DEFAULT_CHANGE_FEED_SETTLE_SECONDS = 30;

/** CHANGE_FEED_SETTLE_SECONDS (default 30): shorter only where no write can last long (the HTTP tests, on DynamoDB Local). */
export function loadChangeFeedConfig(env: Env = process.env) {
  const read = envReader(env);
  const config = {
    settleSeconds: Number(
      read.optional('CHANGE_FEED_SETTLE_SECONDS', String(DEFAULT_CHANGE_FEED_SETTLE_SECONDS), (value) =>
        /^\d{1,4}$/.test(value) && Number(value) <= 3600 ? undefined : 'must be a whole number from 0 to 3600',
      ),
    ),
  };
  read.done();
  return config;
}
