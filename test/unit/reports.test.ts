import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { detailedCsv, hours, summaryCsv } from '../../shared/contracts/report-views.ts';
import { ReportTooLargeError, ValidationError } from '../../shared/errors.ts';
import { acceptsCsv, csvResponse, neutralised } from '../../shared/http/csv-response.ts';
import type { ReportEntry, TimeEntry } from '../../shared/tracking/model.ts';
import { assertKnownCurrency, currencyExponent, majorUnits } from '../../shared/tracking/currencies.ts';
import { amountFor, sumByCurrency, type Money } from '../../shared/tracking/money.ts';
import { SUMMARY_DIMENSIONS } from '../../shared/tracking/model.ts';
import { nextRateHistory, rateOn, type RateHistory } from '../../shared/tracking/rates.ts';
import {
  checkedDimensions,
  checkedReportRange,
  checkedRoundingOverride,
  checkedWeek,
  DateCache,
  detailedPage,
  figuresOf,
  groupEntries,
  idList,
  monthsCovering,
  priceEntry,
  trackedHours,
  weekOf,
  weeklyRows,
  type PricedContract,
  type PricedEntry,
  type ReportQuery,
  type SummaryGroup,
} from '../../shared/tracking/reports.ts';
import { roundedSeconds, ROUNDING_MINUTES, ROUNDING_MODES, type Rounding } from '../../shared/tracking/rounding.ts';
import { dateIn } from '../../shared/tracking/time-zones.ts';

/** The reports' arithmetic, each part on its own, then the whole as a property: every total is the sum of its rows. */

describe('money', () => {
  it('takes exponents from ISO 4217, not CLDR', () => {
    expect([currencyExponent('EUR'), currencyExponent('JPY'), currencyExponent('BHD'), currencyExponent('HUF'), currencyExponent('CLF')]).toEqual([2, 0, 3, 2, 4]);
    expect(currencyExponent('XAU')).toBeUndefined();
    expect(currencyExponent('ABC')).toBeUndefined();
  });

  it('prices seconds × rate / 3600 rounded half up, exactly, even past 2^53', () => {
    expect(amountFor(3600, 4500)).toBe(4500);
    expect(amountFor(1, 1800)).toBe(1); // 0.5 → 1
    expect(amountFor(1, 1799)).toBe(0); // 0.4997 → 0
    expect(amountFor(86_400 * 365, 1_000_000_000)).toBe(8_760_000_000_000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 1_000_000_000 }), (seconds, rate) => {
        const exact = (BigInt(seconds) * BigInt(rate) * 2n + 3600n) / 7200n;
        expect(BigInt(amountFor(seconds, rate))).toBe(exact);
      }),
    );
  });

  it('writes major units with exactly the currency’s decimals', () => {
    expect(majorUnits({ currency: 'EUR', amount: 4500 })).toBe('45.00');
    expect(majorUnits({ currency: 'EUR', amount: 5 })).toBe('0.05');
    expect(majorUnits({ currency: 'JPY', amount: 4500 })).toBe('4500');
    expect(majorUnits({ currency: 'BHD', amount: 1250 })).toBe('1.250');
  });

  it('sums per currency, sorted, never across currencies', () => {
    expect(
      sumByCurrency([
        { currency: 'USD', amount: 1 },
        { currency: 'EUR', amount: 2 },
        { currency: 'USD', amount: 3 },
      ]),
    ).toEqual([
      { currency: 'EUR', amount: 2 },
      { currency: 'USD', amount: 4 },
    ]);
  });
});

describe('rounding', () => {
  it('rounds each duration up, down or to the nearest step (half up)', () => {
    const fifteen = (mode: Rounding['mode']) => ({ minutes: 15, mode }) as Rounding;
    expect(roundedSeconds(451, fifteen('up'))).toBe(900);
    expect(roundedSeconds(451, fifteen('down'))).toBe(0);
    expect(roundedSeconds(450, fifteen('nearest'))).toBe(900); // exactly half: up
    expect(roundedSeconds(449, fifteen('nearest'))).toBe(0);
    expect(roundedSeconds(900, fifteen('up'))).toBe(900); // on a step: unchanged
    expect(roundedSeconds(1234, null)).toBe(1234);
  });
});

describe('rate history', () => {
  const eur = (amount: number): Money => ({ currency: 'EUR', amount });

  it('starts a period on its day, keeps earlier days at their rate, and never rewrites the past', () => {
    let history: RateHistory = nextRateHistory([], eur(4000), '2024-01-01');
    history = nextRateHistory(history, eur(5000), '2024-03-01');
    expect(rateOn(history, '2023-12-31')).toBeNull();
    expect(rateOn(history, '2024-02-29')).toEqual(eur(4000));
    expect(rateOn(history, '2024-03-01')).toEqual(eur(5000));
    expect(() => nextRateHistory(history, eur(6000), '2024-02-01')).toThrow(ValidationError);
    // The same day replaces the latest period; the same rate changes nothing, whatever the day.
    expect(nextRateHistory(history, eur(5500), '2024-03-01')).toEqual([history[0], { from: '2024-03-01', hourlyRate: eur(5500) }]);
    expect(nextRateHistory(history, eur(5000), '2025-01-01')).toBe(history);
    // Back to the rate before, on the latest period's day: one period, not two alike.
    expect(nextRateHistory(history, eur(4000), '2024-03-01')).toEqual([history[0]]);
    expect(() => assertKnownCurrency({ currency: 'XAU', amount: 1 })).toThrow(ValidationError);
  });
});

describe('report parameters', () => {
  it('refuses a missing, reversed or longer-than-366-days range on its field', () => {
    const fieldsOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return Object.keys((error as ValidationError).errors);
      }
      return [];
    };
    expect(fieldsOf(() => checkedReportRange({ from: undefined, to: '2024-01-01' }))).toEqual(['from']);
    expect(fieldsOf(() => checkedReportRange({ from: '2024-02-01', to: '2024-01-01' }))).toEqual(['to']);
    expect(fieldsOf(() => checkedReportRange({ from: '2024-01-01', to: '2024-12-31' }))).toEqual([]); // 366 days (a leap year)
    expect(fieldsOf(() => checkedReportRange({ from: '2023-01-01', to: '2024-01-01' }))).toEqual([]);
    expect(fieldsOf(() => checkedReportRange({ from: '2023-01-01', to: '2024-01-02' }))).toEqual(['to']);
    expect(fieldsOf(() => checkedReportRange({ from: '2024-02-30', to: '2024-03-01' }))).toEqual(['from']);
    expect(fieldsOf(() => checkedReportRange({ from: undefined, to: undefined }, { from: 'start_date', to: 'end_date' }))).toEqual(['start_date', 'end_date']);
    expect(fieldsOf(() => checkedRoundingOverride(15, undefined))).toEqual(['rounding_mode']);
    expect(fieldsOf(() => checkedDimensions('user,user'))).toEqual(['group_by']);
    expect(fieldsOf(() => checkedDimensions('user,project,task,day'))).toEqual(['group_by']);
    expect(fieldsOf(() => checkedDimensions('hour'))).toEqual(['group_by']);
    expect(fieldsOf(() => idList('user_ids', 'none', { none: false }))).toEqual(['user_ids']);
    expect(idList('project_ids', '3,none', { none: true })).toEqual([3, null]);
    expect(fieldsOf(() => checkedWeek('2024-01-16', 'monday'))).toEqual(['week']);
    expect(checkedWeek('2024-01-14', 'sunday')).toHaveLength(7);
  });

  it('starts weeks on the workspace’s day', () => {
    expect(weekOf('2024-01-17', 'monday')).toBe('2024-01-15');
    expect(weekOf('2024-01-15', 'monday')).toBe('2024-01-15');
    expect(weekOf('2024-01-14', 'monday')).toBe('2024-01-08');
    expect(weekOf('2024-01-17', 'sunday')).toBe('2024-01-14');
    expect(weekOf('2024-01-14', 'sunday')).toBe('2024-01-14');
  });

  it('reads the UTC months a range in a zone can touch', () => {
    expect(monthsCovering(Date.parse('2024-01-31T23:00:00Z'), Date.parse('2024-03-01T00:00:00Z'))).toEqual(['2024-01', '2024-02']);
    expect(monthsCovering(Date.parse('2024-01-01T00:00:00Z'), Date.parse('2025-01-01T00:00:00Z'))).toHaveLength(12);
  });
});

describe('CSV', () => {
  it('neutralises a cell a spreadsheet would run as a formula, and only text cells', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(neutralised(`${start}SUM(A1)`)).toBe(`'${start}SUM(A1)`);
    expect(neutralised('fine')).toBe('fine');
    expect(neutralised(-5)).toBe('-5');
    expect(neutralised(null)).toBe('');
  });

  it('is RFC 4180 with CRLF, quoted where needed, as an attachment; past 6 MB it is refused, never cut', () => {
    const answer = csvResponse({
      filename: 'x.csv',
      rows: [
        ['a', 'b'],
        ['say "hi", then', 'x\ny'],
      ],
    });
    expect(answer.body).toBe('a,b\r\n"say ""hi"", then","x\ny"\r\n');
    expect(answer.headers).toMatchObject({ 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="x.csv"' });
    const big = Array.from({ length: 70_000 }, () => ['x'.repeat(90)]);
    expect(() => csvResponse({ filename: 'big.csv', rows: big })).toThrow(ReportTooLargeError);
  });

  it('is asked for with Accept: text/csv, among other types or with parameters', () => {
    expect(acceptsCsv('text/csv')).toBe(true);
    expect(acceptsCsv('application/json, text/csv;q=0.9')).toBe(true);
    expect(acceptsCsv('application/json')).toBe(false);
    expect(acceptsCsv(undefined)).toBe(false);
  });

  it('writes hours with 2 decimals from whole seconds', () => {
    expect([hours(0), hours(3600), hours(5400), hours(18), hours(17), hours(35_999)]).toEqual(['0.00', '1.00', '1.50', '0.01', '0.00', '10.00']);
  });
});

// ——— The whole: random workspaces ———

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland'];
const CURRENCIES = ['EUR', 'JPY', 'USD', 'BHD'];
const BASE = Date.parse('2024-03-01T00:00:00Z') / 1000;

const arbitraryContracts = fc.array(
  fc.record({
    billable: fc.boolean(),
    changes: fc.array(fc.record({ day: fc.integer({ min: -40, max: 40 }), amount: fc.integer({ min: 0, max: 100_000 }), currency: fc.constantFrom(...CURRENCIES), none: fc.boolean() }), {
      maxLength: 4,
    }),
  }),
  { minLength: 1, maxLength: 4 },
);

function historyOf(changes: Array<{ day: number; amount: number; currency: string; none: boolean }>): RateHistory {
  let history: RateHistory = [];
  for (const change of [...changes].sort((a, b) => a.day - b.day)) {
    const day = new Date((BASE + change.day * 86_400) * 1000).toISOString().slice(0, 10);
    history = nextRateHistory(history, change.none ? null : { currency: change.currency, amount: change.amount }, day);
  }
  return history;
}

const arbitraryEntries = (contractCount: number) =>
  fc.array(
    fc.record({
      userId: fc.integer({ min: 1, max: 4 }),
      start: fc.integer({ min: -40 * 86_400, max: 40 * 86_400 }),
      length: fc.integer({ min: 0, max: 30 * 3600 }),
      contract: fc.option(fc.integer({ min: 0, max: contractCount - 1 }), { nil: null }),
      projectId: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
      taskId: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    }),
    { maxLength: 60 },
  );

const arbitraryRounding = fc.option(fc.record({ minutes: fc.constantFrom(...ROUNDING_MINUTES), mode: fc.constantFrom(...ROUNDING_MODES) }), { nil: null });

/** Every group's figures are the sums of its subgroups', down to the leaves. */
function expectSumsHold(groups: readonly SummaryGroup[]) {
  for (const group of groups) {
    if (!group.groups) continue;
    const children = group.groups.map((child) => child.figures);
    expect(group.figures.seconds).toBe(children.reduce((sum, child) => sum + child.seconds, 0));
    expect(group.figures.billableSeconds).toBe(children.reduce((sum, child) => sum + child.billableSeconds, 0));
    expect(group.figures.entries).toBe(children.reduce((sum, child) => sum + child.entries, 0));
    expect(group.figures.amounts).toEqual(sumByCurrency(children.flatMap((child) => child.amounts)));
    expectSumsHold(group.groups);
  }
}

describe('reports of random workspaces', () => {
  it('price each entry at the rate of its start day, and every total is the sum of its rows at every level and in every report', () => {
    fc.assert(
      fc.property(
        arbitraryContracts.chain((contracts) => fc.tuple(fc.constant(contracts), arbitraryEntries(contracts.length))),
        fc.constantFrom(...ZONES),
        fc.constantFrom(...ZONES),
        arbitraryRounding,
        fc.uniqueArray(fc.constantFrom(...SUMMARY_DIMENSIONS), { minLength: 1, maxLength: 3 }),
        ([contractSpecs, entrySpecs], reportZone, workspaceZone, rounding, dimensions) => {
          const contracts = new Map<number, PricedContract>(contractSpecs.map((spec, index) => [index + 1, { contractId: index + 1, billable: spec.billable, rateHistory: historyOf(spec.changes) }]));
          const entries: ReportEntry[] = entrySpecs.map((spec, index) => ({
            entryId: `e${String(index).padStart(3, '0')}`,
            userId: spec.userId,
            start: BASE + spec.start,
            end: BASE + spec.start + spec.length,
            contractId: spec.contract === null ? null : spec.contract + 1,
            projectId: spec.projectId,
            taskId: spec.taskId,
          }));
          const priced: PricedEntry[] = entries.map((entry) => priceEntry(entry, { contracts, rounding, reportZone, workspaceZone }));

          for (const entry of priced) {
            const contract = entry.contractId === null ? undefined : contracts.get(entry.contractId);
            const rate = contract ? rateOn(contract.rateHistory, dateIn(entry.start * 1000, workspaceZone)) : null;
            expect(entry.roundedSeconds).toBe(roundedSeconds(entry.end - entry.start, rounding));
            expect(entry.amount).toEqual(contract?.billable && rate ? { currency: rate.currency, amount: amountFor(entry.roundedSeconds, rate.amount) } : null);
            expect(entry.date).toBe(dateIn(entry.start * 1000, reportZone));
          }

          const totals = figuresOf(priced);
          const groups = groupEntries(priced, dimensions, 'monday');
          // The summary's totals are the sums of its first level, and each level of the next.
          expect(totals).toEqual({
            seconds: groups.reduce((sum, group) => sum + group.figures.seconds, 0),
            billableSeconds: groups.reduce((sum, group) => sum + group.figures.billableSeconds, 0),
            entries: groups.reduce((sum, group) => sum + group.figures.entries, 0),
            amounts: sumByCurrency(groups.flatMap((group) => group.figures.amounts)),
          });
          expectSumsHold(groups);

          // The detailed report, read page by page, holds every entry once, and its sums are the summary's totals.
          const query: ReportQuery = { workspaceId: 1, from: '2024-01-01', to: '2024-04-30', filters: {} };
          const sorted = [...priced].sort((a, b) => a.start - b.start || (a.entryId < b.entryId ? -1 : 1));
          const seen: PricedEntry[] = [];
          let cursor: string | undefined;
          do {
            const page = detailedPage(sorted, query, { ...(cursor === undefined ? {} : { cursor }), perPage: 7 });
            seen.push(...page.entries);
            cursor = page.nextCursor ?? undefined;
          } while (cursor !== undefined);
          expect(seen.map((entry) => entry.entryId)).toEqual(sorted.map((entry) => entry.entryId));
          expect(seen.reduce((sum, entry) => sum + entry.roundedSeconds, 0)).toBe(totals.seconds);
          expect(sumByCurrency(seen.flatMap((entry) => (entry.amount ? [entry.amount] : [])))).toEqual(totals.amounts);

          // Tracked hours and the weekly report add up to the same.
          const days = trackedHours(priced);
          expect(days.flatMap((day) => day.users).reduce((sum, user) => sum + user.totalSeconds, 0)).toBe(totals.seconds);
          for (const user of days.flatMap((day) => day.users)) {
            expect(user.projects.reduce((sum, project) => sum + project.totalSeconds, 0)).toBe(user.totalSeconds);
            expect(sumByCurrency(user.projects.flatMap((project) => project.amounts))).toEqual(user.amounts);
          }
          const week = Array.from({ length: 7 }, (_, index) => new Date(Date.parse('2024-02-26T00:00:00Z') + index * 86_400_000).toISOString().slice(0, 10));
          const inWeek = priced.filter((entry) => week.includes(entry.date));
          const weekly = weeklyRows(inWeek, week, 'user');
          expect(weekly.totals.totalSeconds).toBe(figuresOf(inWeek).seconds);
          expect(weekly.rows.reduce((sum, row) => sum + row.totalSeconds, 0)).toBe(weekly.totals.totalSeconds);
          expect(sumByCurrency(weekly.rows.flatMap((row) => row.amounts))).toEqual(weekly.totals.amounts);

          // The CSV of the summary holds the leaves, and its durations add up (per currency row, once per group).
          const csv = summaryCsv({ from: query.from, to: query.to, timeZone: reportZone, rounding, weekStart: 'monday', entries: priced, totals, groups }, 1, dimensions);
          expect(csv.rows[0]!.slice(0, dimensions.length)).toHaveLength(dimensions.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a tampered or foreign cursor is refused on its field', () => {
    const query: ReportQuery = { workspaceId: 1, from: '2024-01-01', to: '2024-01-31', filters: {} };
    const entry = { entryId: 'a', start: 10 } as PricedEntry;
    const page = detailedPage([entry, { ...entry, entryId: 'b' }], query, { perPage: 1 });
    expect(() => detailedPage([], { ...query, to: '2024-01-30' }, { cursor: page.nextCursor!, perPage: 1 })).toThrow(ValidationError);
    expect(() => detailedPage([], query, { cursor: 'not-ours', perPage: 1 })).toThrow(ValidationError);
    expect(() => detailedPage([], query, { cursor: `${page.nextCursor!.slice(0, -2)}xx`, perPage: 1 })).toThrow(ValidationError);
  });

  it('the detailed CSV keeps a description a spreadsheet would run as text', () => {
    const entry = { entryId: 'a', userId: 1, projectId: null, contractId: null, taskId: null, activityDescription: '=HYPERLINK("x")', startTime: 's', endTime: 'e' } as TimeEntry;
    const priced = { entryId: 'a', date: '2024-01-01', seconds: 60, roundedSeconds: 60, billable: false, hourlyRate: null, amount: null } as unknown as PricedEntry;
    const table = detailedCsv({ from: 'a', to: 'b', timeZone: 'UTC', rounding: null, weekStart: 'monday', entries: [], rows: [{ entry, priced }], totals: figuresOf([]), nextCursor: null }, 1);
    expect(csvResponse(table).body).toContain(`"'=HYPERLINK(""x"")"`);
  });
});

describe('the report’s day cache', () => {
  it('gives the day of every instant as the zone computes it, across DST changes and quarter-hour zones', () => {
    const cache = new DateCache();
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('1960-01-01') / 1000, max: Date.parse('2040-01-01') / 1000 }),
        fc.constantFrom(...ZONES, 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Africa/Monrovia'),
        (instant, zone) => {
          expect(cache.dateOf(instant, zone)).toBe(dateIn(instant * 1000, zone));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
