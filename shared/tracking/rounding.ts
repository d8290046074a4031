/**
 * How a report rounds each entry's duration (docs/reports.md "Rounding"): to a step of
 * minutes, up, down or to the nearest (half up). Rounding applies to every entry on its own,
 * never to a sum, so that every total is the sum of its rows.
 */
export const ROUNDING_MINUTES = [1, 5, 6, 10, 12, 15, 30, 60] as const;
export const ROUNDING_MODES = ['up', 'down', 'nearest'] as const;
export type Rounding = { minutes: (typeof ROUNDING_MINUTES)[number]; mode: (typeof ROUNDING_MODES)[number] };

/** An entry's duration as a report counts it: exact seconds without a rounding. */
export function roundedSeconds(seconds: number, rounding: Rounding | null): number {
  if (rounding === null) return seconds;
  const step = rounding.minutes * 60;
  const whole = Math.floor(seconds / step);
  const rest = seconds - whole * step;
  if (rest === 0) return seconds;
  if (rounding.mode === 'down') return whole * step;
  if (rounding.mode === 'up') return (whole + 1) * step;
  return (rest * 2 >= step ? whole + 1 : whole) * step;
}
