import { DEFAULT_MAX_KEY_LIFETIME_DAYS } from '../auth/personal-access-tokens.ts';
import { envReader, type Env } from './read-env.ts';

export type ApiKeyConfig = {
  /** The longest a personal access token made over the API may live (its `expires_at` is required). */
  maxLifetimeDays: number;
};

/** API_KEY_MAX_LIFETIME_DAYS (default 90, 1-3650). */
export function loadApiKeyConfig(env: Env = process.env): ApiKeyConfig {
  const read = envReader(env);
  const config = {
    maxLifetimeDays: Number(
      read.optional('API_KEY_MAX_LIFETIME_DAYS', String(DEFAULT_MAX_KEY_LIFETIME_DAYS), (value) =>
        /^[1-9]\d{0,3}$/.test(value) && Number(value) <= 3650 ? undefined : 'must be a whole number of days from 1 to 3650',
      ),
    ),
  };
  read.done();
  return config;
}
