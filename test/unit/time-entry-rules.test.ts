import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { PeriodLockedError, TimeEntryOverlapError, ValidationError } from '../../shared/errors.ts';
import { assertLockDate, assertOpen, firstOpenDay, isLocked } from '../../shared/tracking/locks.ts';
import { assertNoOverlap, changesBetween, checkedInterval, toUtcTimestamp } from '../../shared/tracking/entry-rules.ts';
import { checkedDayRange } from '../../shared/tracking/list-time-entries.ts';
import type { ActiveTracker, TimeEntry, TimelineSlot } from '../../shared/tracking/model.ts';
import { dateIn, daysInZone, isTimeZone, startOfDayIn } from '../../shared/tracking/time-zones.ts';
import { LONG_SLOT, overlapping, slotsOf, slotsToCheck } from '../../shared/tracking/timeline.ts';

/** The pure rules of time entries: times, zones, the timeline's slots and the overlap rule. */
const seconds = (iso: string) => Date.parse(iso) / 1000;
const errorsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
  return undefined;
};

describe('times with an offset', () => {
  it('are read as the instant they name, in the contract form', () => {
    expect(toUtcTimestamp('2026-03-29T01:30:00+01:00')).toBe('2026-03-29T00:30:00+00:00');
    expect(toUtcTimestamp('2026-03-29T03:30:00+02:00')).toBe('2026-03-29T01:30:00+00:00');
    expect(toUtcTimestamp('2026-01-01T00:15:00-05:30')).toBe('2026-01-01T05:45:00+00:00');
    expect(toUtcTimestamp('2026-12-31T23:59:59Z')).toBe('2026-12-31T23:59:59+00:00');
  });

  it('name no instant when the date or time does not exist', () => {
    for (const bad of [
      '2026-02-30T10:00:00Z',
      '2026-02-28T24:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T10:60:00Z',
      '2026-01-01T10:00:00+19:00',
      '2026-01-01T10:00:00+01:60',
      '2026-01-01T10:00:00',
    ]) {
      expect([bad, toUtcTimestamp(bad)]).toEqual([bad, undefined]);
    }
  });

  it('round-trip any instant written with any whole-minute offset', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1971-01-01'), max: new Date('2099-01-01'), noInvalidDate: true }), fc.integer({ min: -18 * 60, max: 18 * 60 }), (date, offset) => {
        const instant = Math.floor(date.getTime() / 1000) * 1000;
        const local = new Date(instant + offset * 60_000).toISOString().slice(0, 19);
        const sign = offset < 0 ? '-' : '+';
        const hhmm = `${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
        expect(toUtcTimestamp(`${local}${sign}${hhmm}`)).toBe(`${new Date(instant).toISOString().slice(0, 19)}+00:00`);
      }),
    );
  });
});

describe('the interval rules', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  it('accept an interval of up to 24 h that ends at most 60 s after now, and measure it exactly', () => {
    expect(checkedInterval({ startTime: '2026-03-29T01:30:00+01:00', endTime: '2026-03-29T03:30:00+02:00' }, now)).toEqual({
      startTime: '2026-03-29T00:30:00+00:00',
      endTime: '2026-03-29T01:30:00+00:00',
      durationSeconds: 3600,
    });
    expect(checkedInterval({ startTime: '2026-05-31T12:00:00Z', endTime: '2026-06-01T12:00:00Z' }, now).durationSeconds).toBe(86_400);
    expect(checkedInterval({ startTime: '2026-06-01T11:00:00Z', endTime: '2026-06-01T12:01:00Z' }, now).durationSeconds).toBe(3660);
  });

  it('refuse on the field: reversed, empty, over 24 h, in the future, no such time', () => {
    const check = (startTime: string, endTime: string) => errorsOf(() => checkedInterval({ startTime, endTime }, now));
    expect(Object.keys(check('2026-06-01T10:00:00Z', '2026-06-01T09:00:00Z')!)).toEqual(['end_time']);
    expect(Object.keys(check('2026-06-01T10:00:00Z', '2026-06-01T10:00:00Z')!)).toEqual(['end_time']);
    expect(Object.keys(check('2026-05-31T10:00:00Z', '2026-06-01T10:00:01Z')!)).toEqual(['end_time']);
    expect(Object.keys(check('2026-06-01T11:00:00Z', '2026-06-01T12:01:01Z')!)).toEqual(['end_time']);
    expect(Object.keys(check('2026-02-30T10:00:00Z', '2026-02-31T10:00:00Z')!)).toEqual(['start_time', 'end_time']);
  });
});

describe('time zones', () => {
  it('know IANA zones and refuse anything else', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) expect([zone, isTimeZone(zone)]).toEqual([zone, true]);
    for (const zone of ['Mars/Olympus', '+02:00', '', 'Europe/Berlin ', '../etc/passwd']) expect([zone, isTimeZone(zone)]).toEqual([zone, false]);
  });

  it('make days of 23 and 25 hours across DST, and start a day after a gap at midnight', () => {
    const hours = (date: string, zone: string) => (daysInZone(date, date, zone).end - daysInZone(date, date, zone).start) / 3_600_000;
    expect(hours('2026-03-29', 'Europe/Berlin')).toBe(23);
    expect(hours('2026-10-25', 'Europe/Berlin')).toBe(25);
    expect(hours('2026-03-29', 'UTC')).toBe(24);
    // Chile springs forward at midnight: 2026-09-06 starts at 01:00 local (04:00 UTC).
    expect(new Date(startOfDayIn('2026-09-06', 'America/Santiago')).toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(dateIn(Date.parse('2026-03-28T23:10:00Z'), 'Europe/Berlin')).toBe('2026-03-29');
    expect(dateIn(Date.parse('2026-03-28T23:10:00Z'), 'UTC')).toBe('2026-03-28');
  });

  it('check a date range: one day, in order, at most 31 days, a known zone', () => {
    expect(checkedDayRange({ date: '2026-03-29' })).toEqual({ from: '2026-03-29', to: '2026-03-29', timeZone: undefined });
    expect(checkedDayRange({ from: '2026-01-01', to: '2026-01-31', tz: 'Asia/Tokyo' })).toEqual({ from: '2026-01-01', to: '2026-01-31', timeZone: 'Asia/Tokyo' });
    expect(Object.keys(errorsOf(() => checkedDayRange({ from: '2026-01-01', to: '2026-02-01' }))!)).toEqual(['to']);
    expect(Object.keys(errorsOf(() => checkedDayRange({ from: '2026-01-02', to: '2026-01-01' }))!)).toEqual(['to']);
    expect(Object.keys(errorsOf(() => checkedDayRange({ date: '2026-01-01', from: '2026-01-01' }))!)).toEqual(['date']);
    expect(Object.keys(errorsOf(() => checkedDayRange({ date: '2026-01-01', tz: 'Nowhere/City' }))!)).toEqual(['tz']);
  });
});

describe('the timeline', () => {
  it('records an entry on the UTC days it covers, or on the long slot past 24 h', () => {
    expect(slotsOf(seconds('2026-03-10T09:00:00Z'), seconds('2026-03-10T10:00:00Z'))).toEqual(['2026-03-10']);
    expect(slotsOf(seconds('2026-03-10T23:00:00Z'), seconds('2026-03-11T01:00:00Z'))).toEqual(['2026-03-10', '2026-03-11']);
    // Ending at midnight exactly covers nothing of the next day.
    expect(slotsOf(seconds('2026-03-10T23:00:00Z'), seconds('2026-03-11T00:00:00Z'))).toEqual(['2026-03-10']);
    expect(slotsOf(seconds('2026-03-10T00:00:00Z'), seconds('2026-03-12T00:00:00Z'))).toEqual([LONG_SLOT]);
  });

  it('makes every check read a slot of every entry it could overlap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 6 }),
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: -200_000, max: 200_000 }),
        fc.integer({ min: 0, max: 400_000 }),
        (start, length, shift, otherLength) => {
          const base = seconds('2026-03-01T00:00:00Z');
          const mine = { start: base + start, end: base + start + length };
          const other = { start: mine.start + shift, end: mine.start + shift + otherLength };
          const overlaps = other.start < mine.end && mine.start < other.end;
          const read = new Set(slotsToCheck(mine.start, mine.end));
          const recordedOn = slotsOf(other.start, other.end);
          if (overlaps && other.end > other.start) expect(recordedOn.some((slot) => read.has(slot))).toBe(true);
        },
      ),
    );
  });

  const slot = (spans: Array<[string, string, string]>): TimelineSlot => ({
    slot: '2026-03-10',
    version: 1,
    spans: spans.map(([entryId, start, end]) => ({ entryId, start: seconds(start), end: seconds(end) })),
  });

  it('finds overlaps, not touching ends, and not the entry being edited', () => {
    const slots = [slot([['a', '2026-03-10T09:00:00Z', '2026-03-10T10:00:00Z']])];
    expect(overlapping(slots, seconds('2026-03-10T09:59:59Z'), seconds('2026-03-10T11:00:00Z'))).toHaveLength(1);
    expect(overlapping(slots, seconds('2026-03-10T10:00:00Z'), seconds('2026-03-10T11:00:00Z'))).toHaveLength(0);
    expect(overlapping(slots, seconds('2026-03-10T08:00:00Z'), seconds('2026-03-10T09:00:00Z'))).toHaveLength(0);
    expect(overlapping(slots, seconds('2026-03-10T09:10:00Z'), seconds('2026-03-10T09:20:00Z'), 'a')).toHaveLength(0);
  });

  it('refuses an interval over the running tracker of the workspace (409), not one in another workspace', () => {
    const tracker = { workspaceId: 1, startTime: '2026-03-10T12:00:00+00:00' } as ActiveTracker;
    const interval = { startTime: '2026-03-10T11:00:00+00:00', endTime: '2026-03-10T12:00:01+00:00' };
    expect(() => assertNoOverlap(interval, { timeline: [], tracker }, 1, 'e')).toThrow(TimeEntryOverlapError);
    expect(() => assertNoOverlap(interval, { timeline: [], tracker }, 2, 'e')).not.toThrow();
    expect(() => assertNoOverlap({ ...interval, endTime: '2026-03-10T12:00:00+00:00' }, { timeline: [], tracker }, 1, 'e')).not.toThrow();
  });
});

describe('the history of a change', () => {
  const entry = { startTime: 'a', endTime: 'b', durationSeconds: 1, contractId: null, projectId: null, taskId: null, activityDescription: 'x' } as TimeEntry;
  it('names every field of a creation, and only the changed ones of an edit', () => {
    expect(Object.keys(changesBetween(undefined, entry))).toHaveLength(7);
    expect(changesBetween(entry, { ...entry, activityDescription: null, durationSeconds: 2 })).toEqual({ duration_seconds: [1, 2], activity_description: ['x', null] });
    expect(changesBetween(entry, { ...entry })).toEqual({});
  });
});

describe('lock dates', () => {
  const now = new Date('2026-06-10T22:30:00Z'); // 11 June in Auckland, 10 June in UTC
  const settings = (lockBefore: string | null, autoLockAfterDays: number | null, timeZone = 'UTC') => ({ lockBefore, autoLockAfterDays, timeZone });

  it('closes the days before the later of lock_before and the rolling limit, in the workspace’s zone', () => {
    expect(firstOpenDay(settings(null, null), now)).toBeNull();
    expect(firstOpenDay(settings('2026-06-01', null), now)).toBe('2026-06-01');
    expect(firstOpenDay(settings(null, 2), now)).toBe('2026-06-08');
    expect(firstOpenDay(settings('2026-06-09', 2), now)).toBe('2026-06-09');
    expect(firstOpenDay(settings(null, 2, 'Pacific/Auckland'), now)).toBe('2026-06-09');
    // An entry's day is its start's, in the workspace's zone.
    expect(isLocked('2026-05-31T23:00:00+00:00', settings('2026-06-01', null), now)).toBe(true);
    expect(isLocked('2026-05-31T23:00:00+00:00', settings('2026-06-01', null, 'Europe/Berlin'), now)).toBe(false);
    expect(() => assertOpen(['2026-06-05T09:00:00+00:00', '2026-05-01T09:00:00+00:00'], settings('2026-06-01', null), now)).toThrow(PeriodLockedError);
    expect(() => assertOpen(['2026-06-05T09:00:00+00:00', undefined], settings('2026-06-01', null), now)).not.toThrow();
  });

  it('refuses a lock_before after today, or no date at all', () => {
    expect(() => assertLockDate('2026-06-11', 'UTC', now)).toThrow(ValidationError);
    expect(() => assertLockDate('2026-06-11', 'Pacific/Auckland', now)).not.toThrow();
    expect(() => assertLockDate('2026-02-30', 'UTC', now)).toThrow(ValidationError);
    expect(() => assertLockDate(null, 'UTC', now)).not.toThrow();
  });
});
