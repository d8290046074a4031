import { ValidationError } from '../errors.ts';
import type { Money } from './money.ts';

/**
 * A contract's hourly rates over time (docs/reports.md "Rates"): periods, oldest first,
 * each from its first day (in the workspace's zone) until the next one's. A change never
 * rewrites the past: it starts a period on the day it is effective from, or replaces the
 * latest period when it starts the same day. An entry is priced at the rate in force on
 * the day it starts.
 */
export type RatePeriod = { from: string; hourlyRate: Money | null };
export type RateHistory = readonly RatePeriod[];

const sameRate = (a: Money | null, b: Money | null) => (a === null || b === null ? a === b : a.currency === b.currency && a.amount === b.amount);

/** The rate a contract's latest period sets (null: none, or no period yet). */
export const latestRate = (history: RateHistory): Money | null => history.at(-1)?.hourlyRate ?? null;

/** The rate in force on `date` (YYYY-MM-DD): the latest period that started on or before it. */
export function rateOn(history: RateHistory, date: string): Money | null {
  let rate: Money | null = null;
  for (const period of history) {
    if (period.from > date) break;
    rate = period.hourlyRate;
  }
  return rate;
}

/**
 * The history after a PUT that gives `rate`: unchanged when it is the latest period's rate
 * (a replayed PUT changes nothing, whatever day it arrives); else a period from
 * `effectiveFrom`, which may not precede the latest period's start (422), and replaces it
 * when it is the same day.
 */
export function nextRateHistory(history: RateHistory, rate: Money | null, effectiveFrom: string): RateHistory {
  const latest = history.at(-1);
  if (sameRate(latestRate(history), rate)) return history;
  if (latest && effectiveFrom < latest.from) {
    throw new ValidationError({ rate_effective_from: [`The rate effective from field must be ${latest.from} or later: the latest rate starts then, and the past is not rewritten.`] });
  }
  const kept = latest && effectiveFrom === latest.from ? history.slice(0, -1) : history;
  // Replacing the latest period with the rate before it leaves one period, not two alike.
  if (sameRate(latestRate(kept), rate) && kept.length > 0) return kept;
  return [...kept, { from: effectiveFrom, hourlyRate: rate }];
}

/** The history as a contract item keeps it: JSON text, compared as it is written (docs/data-model.md). */
export const rateHistoryToText = (history: RateHistory): string | null =>
  history.length === 0 ? null : JSON.stringify(history.map((period) => ({ from: period.from, hourly_rate: period.hourlyRate })));

export function rateHistoryFromText(text: unknown): RateHistory {
  if (typeof text !== 'string' || text === '') return [];
  const parsed = JSON.parse(text) as Array<{ from: string; hourly_rate: Money | null }>;
  return parsed.map((period) => ({ from: period.from, hourlyRate: period.hourly_rate }));
}
