import { TZDate } from '@date-fns/tz';

/**
 * Calendar days in an IANA time zone, for the date queries (docs/contract.md "Dates and
 * time zones"). A day in a zone is the half-open interval [its first instant, the next
 * day's first instant): 23 or 25 hours across a DST change, and starting after a gap when
 * midnight does not exist there (America/Santiago in September). @date-fns/tz resolves
 * local times through the platform's own zone database (Intl).
 */
export const DEFAULT_TIME_ZONE = 'UTC';

/** Zones already asked about: building an Intl formatter to find out costs more than the rest of a request's date math. */
const knownZones = new Map<string, boolean>([[DEFAULT_TIME_ZONE, true]]);
const MAX_KNOWN_ZONES = 1000;

/** Whether `name` is a zone the platform knows ("Europe/Berlin", "UTC"); offsets and abbreviations are not zones here. */
export function isTimeZone(name: string): boolean {
  const known = knownZones.get(name);
  if (known !== undefined) return known;
  let valid = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name);
  if (valid) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
    } catch {
      valid = false;
    }
  }
  if (knownZones.size < MAX_KNOWN_ZONES) knownZones.set(name, valid);
  return valid;
}

/**
 * The calendar the date queries accept, both ends included. Bounded so that every accepted
 * day has a next day of the same YYYY-MM-DD form (the day after 9999-12-31 is
 * "+010000-01-01", which sorts before it) and a zone's midnight the platform can compute.
 */
export const FIRST_CALENDAR_DATE = '1900-01-01';
export const LAST_CALENDAR_DATE = '9998-12-31';
const DAY_MS = 86_400_000;

/** "2024-02-30" matches the pattern but is no date. */
export function isCalendarDate(value: string): boolean {
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** A real date within the calendar the date queries accept (FIRST_CALENDAR_DATE..LAST_CALENDAR_DATE). */
export function isWithinCalendar(value: string): boolean {
  return value >= FIRST_CALENDAR_DATE && value <= LAST_CALENDAR_DATE;
}

/** The first instant (epoch ms) of `date` (YYYY-MM-DD) in `timeZone`. */
export function startOfDayIn(date: string, timeZone: string): number {
  if (timeZone === DEFAULT_TIME_ZONE) return Date.parse(`${date}T00:00:00Z`);
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new TZDate(year, month - 1, day, timeZone).getTime();
}

/** The calendar date (YYYY-MM-DD) an instant falls on in `timeZone`. */
export function dateIn(instant: Date | number, timeZone: string): string {
  if (timeZone === DEFAULT_TIME_ZONE) return new Date(instant).toISOString().slice(0, 10);
  const local = new TZDate(typeof instant === 'number' ? instant : instant.getTime(), timeZone);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`;
}

/** The date after `date` (calendar arithmetic, no zone involved). */
export function nextDate(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** Every date from `from` to `to`, both included: counted in days, never by comparing strings (see FIRST_CALENDAR_DATE). */
export function datesFrom(from: string, to: string): string[] {
  const first = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: Math.max(0, dayCount(from, to)) }, (_, index) => new Date(first + index * DAY_MS).toISOString().slice(0, 10));
}

/** Days from `from` to `to`, both included (1 for one day). */
export function dayCount(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The instants [start, end) the days `from`..`to` cover in `timeZone`, in epoch ms. */
export function daysInZone(from: string, to: string, timeZone: string): { start: number; end: number } {
  return { start: startOfDayIn(from, timeZone), end: startOfDayIn(nextDate(to), timeZone) };
}

/** The same range in epoch seconds [from, to): what the timeline's spans are compared with. */
export function daysInZoneSeconds(from: string, to: string, timeZone: string): { from: number; to: number } {
  const { start, end } = daysInZone(from, to, timeZone);
  return { from: Math.ceil(start / 1000), to: Math.ceil(end / 1000) };
}
