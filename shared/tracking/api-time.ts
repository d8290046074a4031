/** The contract's timestamp form: ISO 8601, second precision, explicit UTC offset. */
export function toApiTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

/** Whole seconds between two instants, never negative. */
export function secondsBetween(start: Date, end: Date): number {
  return Math.max(0, Math.floor((end.getTime() - start.getTime()) / 1000));
}

const OFFSET_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The instant (epoch ms) an ISO 8601 time with an explicit offset names, parsed strictly:
 * undefined for a day or an hour that does not exist ("2026-02-31T…", "…T25:00:00…") and an
 * offset over 18 h, where `Date.parse` would roll them over into another instant or fail.
 */
export function parseOffsetTime(value: string): number | undefined {
  const match = OFFSET_TIME.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const realTime =
    local.getUTCFullYear() === year &&
    local.getUTCMonth() === month - 1 &&
    local.getUTCDate() === day &&
    local.getUTCHours() === hour &&
    local.getUTCMinutes() === minute &&
    local.getUTCSeconds() === second;
  const offset = match[8]!;
  const [offsetHours, offsetMinutes] = offset === 'Z' ? [0, 0] : [Number(offset.slice(1, 3)), Number(offset.slice(4, 6))];
  if (!realTime || offsetHours > 18 || offsetMinutes > 59) return undefined;
  const offsetMs = (offset.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const fraction = match[7] ? Math.round(Number(match[7]) * 1000) : 0;
  return local.getTime() + fraction - offsetMs;
}
