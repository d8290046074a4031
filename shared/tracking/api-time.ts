/** The contract's timestamp form: ISO 8601, second precision, explicit UTC offset. */
export function toApiTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

/** Whole seconds between two instants, never negative. */
export function secondsBetween(start: Date, end: Date): number {
  return Math.max(0, Math.floor((end.getTime() - start.getTime()) / 1000));
}
