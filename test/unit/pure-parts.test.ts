import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { arbitraryOf } from '../support/schema-arbitraries.ts';
import type { ValidateFunction } from 'ajv';
import { inputLocationsOf, inputSchemaOf, routeList, routes, type Route } from '../../shared/contracts/routes.ts';
import * as startValidators from '../../shared/contracts/generated/validators/startTimeTracking.js';
import { apiKeyFromItem, apiKeyToItem, timeEntryByIdToItem, timeEntryFromItem, timeEntryToItem, trackerFromItem, trackerToItem } from '../../shared/db/item-mappers.ts';
import { BadRequestError, ValidationError } from '../../shared/errors.ts';
import { canonicalJson, hashInput } from '../../shared/http/idempotency.ts';
import type { HttpRequest } from '../../shared/http/types.ts';
import { validateInput, type InputValidators } from '../../shared/http/validate-input.ts';

/** A route's locations paired with its generated validators, as the handler factory pairs them. */
async function inputValidatorsOf(route: Route): Promise<InputValidators> {
  const generated = (await import(`../../shared/contracts/generated/validators/${route.name}.js`)) as Record<string, ValidateFunction>;
  return Object.fromEntries(inputLocationsOf(route).map((location) => [location, { schema: inputSchemaOf(route, location)!, validate: generated[location]! }]));
}
import { datesFrom, daysInZone, FIRST_CALENDAR_DATE, isCalendarDate, LAST_CALENDAR_DATE } from '../../shared/tracking/time-zones.ts';
import { checkedDayRange, MAX_RANGE_DAYS } from '../../shared/tracking/list-time-entries.ts';
import type { TimeEntry } from '../../shared/tracking/model.ts';
import { paginate } from '../../shared/tracking/pagination.ts';
import { newApiKeyRecord } from '../../shared/auth/api-keys.ts';

/** Property-based checks of the pure parts, each on its own (as Middy fuzzes each middleware). */
const RUNS = 500;

describe('canonical JSON of Idempotency-Key requests', () => {
  it('is the same for any key order, and differs when a value differs', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
        expect(hashInput(value)).toBe(hashInput(reversed));
        expect(hashInput({ ...value, __extra: 1 })).not.toBe(hashInput(value));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('pagination', () => {
  it('pages partition the items in order, and the last page is where they end', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 120 }), fc.integer({ min: 1, max: 50 }), (items, perPage) => {
        const first = paginate(items, 1, perPage);
        const pages = Array.from({ length: first.pagination.last_page }, (_, index) => paginate(items, index + 1, perPage).items);
        expect(pages.flat()).toEqual(items);
        expect(first.pagination.total).toBe(items.length);
        expect(paginate(items, first.pagination.last_page + 1, perPage).items).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('input validation of every route (precompiled validators + messages)', () => {
  const anyInput = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.dictionary(fc.constantFrom('workspace_id', 'user_id', 'contract_id', 'task_id', 'activity_description', 'date', 'page', 'per_page', '__proto__', 'x'), fc.jsonValue({ maxDepth: 2 })),
    fc.dictionary(fc.constantFrom('workspace_id', 'user_id', 'date', 'page', 'per_page'), fc.string()),
  );

  /** An object of one location that its schema accepts: every required field, some optional ones. */
  const validObject = (schema: { properties: Record<string, any>; required?: readonly string[] }) =>
    fc.record(Object.fromEntries(Object.entries(schema.properties).map(([field, property]) => [field, arbitraryOf(property)])), { requiredKeys: [...(schema.required ?? [])] as never[] });
  const onTheWire = (value: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== null)
        .map(([field, item]) => [field, Array.isArray(item) ? item.join(',') : String(item)]),
    );

  for (const route of routeList) {
    it(`${route.name}: input each location's schema accepts is accepted, whole and normalized, in a good share of runs`, async () => {
      const middleware = validateInput(await inputValidatorsOf(route));
      const locations = inputLocationsOf(route);
      const valid = fc.record(Object.fromEntries(locations.map((location) => [location, validObject(inputSchemaOf(route, location)!)])));
      let accepted = 0;
      fc.assert(
        fc.property(valid, (byLocation: Record<string, Record<string, unknown>>) => {
          const event = {
            body: byLocation.body,
            queryStringParameters: byLocation.query && onTheWire(byLocation.query),
            pathParameters: byLocation.path && onTheWire(byLocation.path),
            headers: byLocation.headers && onTheWire(byLocation.headers),
          };
          const request = { event, context: {} } as unknown as HttpRequest;
          try {
            middleware.before(request);
          } catch (error) {
            // Only a cross-field rule (a task without its contract) may refuse what each field's schema accepts.
            expect(error).toBeInstanceOf(ValidationError);
            expect(Object.keys((error as ValidationError).errors)).toEqual(['contract_id']);
            return;
          }
          accepted++;
          const expected = Object.assign({}, ...locations.filter((location) => location !== 'headers').map((location) => byLocation[location]));
          // Query and path values come back typed (coerced from their strings); nulls of a query are absent.
          for (const [field, value] of Object.entries(expected)) {
            if (value === null && !byLocation.body?.[field]) continue;
            if (Array.isArray(value)) continue;
            expect(request.context.input![field]).toEqual(value);
          }
        }),
        { numRuns: RUNS },
      );
      expect(accepted).toBeGreaterThan(RUNS / 3);
    });

    it(`${route.name}: anything is either valid input of the schema's fields only, 400, or 422 with one message per field`, async () => {
      const middleware = validateInput(await inputValidatorsOf(route));
      const fields = inputLocationsOf(route).flatMap((location) => Object.keys(inputSchemaOf(route, location)!.properties));
      const required = inputLocationsOf(route).flatMap((location) => inputSchemaOf(route, location)!.required ?? []);
      fc.assert(
        fc.property(anyInput, (raw) => {
          // The same raw value at every location the route reads.
          const event = { body: raw, queryStringParameters: raw, pathParameters: raw, headers: raw };
          const request = { event, context: {} } as unknown as HttpRequest;
          try {
            middleware.before(request);
          } catch (error) {
            if (error instanceof ValidationError) {
              for (const [field, messages] of Object.entries(error.errors)) {
                expect(messages).toHaveLength(1);
                expect(messages[0]).toMatch(/^The (selected )?[a-z ]+ /);
                expect(field).not.toBe('');
              }
              return;
            }
            expect(error).toBeInstanceOf(BadRequestError);
            return;
          }
          const input = request.context.input!;
          for (const field of Object.keys(input)) expect(fields).toContain(field);
          for (const field of required) expect(input[field]).not.toBeUndefined();
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('says which field a cross-field rule concerns', () => {
    const middleware = validateInput({ body: { schema: routes.startTimeTracking.input.body, validate: startValidators.body } });
    const request = { event: { body: { workspace_id: 1, user_id: 2, task_id: 5 } }, context: {} } as unknown as HttpRequest;
    expect(() => middleware.before(request)).toThrow(ValidationError);
    try {
      middleware.before(request);
    } catch (error) {
      expect((error as ValidationError).errors).toEqual({ contract_id: ['The contract id field is required when task id is present.'] });
    }
  });
});

describe('item mappers', () => {
  const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
  const tracker = fc.record({
    trackerId: fc.uuid(),
    workspaceId: fc.integer({ min: 1 }),
    userId: fc.integer({ min: 1 }),
    contractId: nullable(fc.integer({ min: 1 })),
    projectId: nullable(fc.integer({ min: 1 })),
    taskId: nullable(fc.integer({ min: 1 })),
    activityDescription: nullable(fc.string()),
    startTime: fc.date({ noInvalidDate: true }).map((date) => `${date.toISOString().slice(0, 19)}+00:00`),
    startedBy: fc.integer({ min: 1 }),
    taskTitle: nullable(fc.string()),
    requestId: fc.uuid(),
    autoStopAt: nullable(fc.date({ noInvalidDate: true }).map((date) => `${date.toISOString().slice(0, 19)}+00:00`)),
  });

  it('round-trip trackers and time entries exactly', () => {
    fc.assert(
      fc.property(tracker, fc.integer({ min: 0, max: 10 ** 6 }), (active, duration) => {
        expect(trackerFromItem(trackerToItem(active))).toEqual(active);
        const { trackerId, startedBy, requestId, taskTitle, autoStopAt, ...rest } = active;
        const source = duration % 2 === 0 ? 'tracker' : 'manual';
        const stopReason = source === 'manual' ? null : autoStopAt ? 'max_duration' : 'manual';
        const entry: TimeEntry = {
          ...rest,
          entryId: trackerId,
          endTime: rest.startTime,
          durationSeconds: duration,
          source,
          stopReason,
          stoppedBy: stopReason === 'manual' ? startedBy : null,
          createdBy: startedBy,
          createdAt: rest.startTime,
          updatedBy: startedBy + 1,
          updatedAt: rest.startTime,
          version: 1 + (duration % 7),
        };
        expect(timeEntryFromItem(timeEntryToItem(entry))).toEqual(entry);
        expect(timeEntryFromItem(timeEntryByIdToItem(entry))).toEqual(entry);
      }),
      { numRuns: RUNS },
    );
  });

  const record = newApiKeyRecord(`ttk_${'a'.repeat(43)}`, { userId: 7, name: 'k', scopes: ['read'], expiresAt: null, now: new Date(0) });

  it('round-trip an API key; absence means "never expires" and "not revoked"', () => {
    const item = apiKeyToItem(record);
    expect(item).not.toHaveProperty('expires_at');
    expect(item).not.toHaveProperty('revoked_at');
    expect(apiKeyFromItem(item)).toEqual(record);
    const expiring = { ...record, expiresAt: '1970-01-01T00:00:00Z', revokedAt: '2024-01-01T00:00:00.000Z' };
    expect(apiKeyFromItem(apiKeyToItem(expiring))).toEqual(expiring);
  });

  it.each([
    ['a revoked_at that is not a timestamp', { revoked_at: true }],
    ['a numeric revoked_at', { revoked_at: 0 }],
    ['an unparseable expires_at', { expires_at: 'soon' }],
    ['a numeric expires_at', { expires_at: 0 }],
    ['a user id that is no id', { user_id: '7' }],
    ['scopes that are not a list', { scopes: 'read write' }],
    ['no key id', { key_id: undefined }],
  ])('fail closed on %s', (_name, change) => {
    expect(apiKeyFromItem({ ...apiKeyToItem(record), ...change })).toBeUndefined();
  });
});

describe('calendar dates', () => {
  it('accepts exactly the days that exist', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }), (date) => {
        expect(isCalendarDate(date.toISOString().slice(0, 10))).toBe(true);
      }),
      { numRuns: RUNS },
    );
    for (const bad of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-00-10', '2024-1-1']) expect(isCalendarDate(bad)).toBe(false);
  });

  // The day after 9999-12-31 is "+010000-01-01", which sorts before it: a loop comparing strings never ended there.
  const edgeDay = fc.oneof(
    fc.integer({ min: 0, max: 40 }).map((days) => new Date(Date.parse(`${FIRST_CALENDAR_DATE}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)),
    fc.integer({ min: 0, max: 400 }).map((days) => new Date(Date.parse(`${LAST_CALENDAR_DATE}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10)),
  );
  it('gives every accepted range its days, one each, at both ends of the calendar and in any zone', () => {
    fc.assert(
      fc.property(edgeDay, fc.integer({ min: 0, max: MAX_RANGE_DAYS - 1 }), fc.constantFrom('UTC', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/Berlin'), (from, extra, zone) => {
        const last = new Date(Date.parse(`${from}T00:00:00Z`) + extra * 86_400_000).toISOString().slice(0, 10);
        // Dates as text: the later of two is the greater string.
        const to = [last, LAST_CALENDAR_DATE].sort()[0]!;
        const range = checkedDayRange({ from, to, tz: zone });
        const days = datesFrom(range.from, range.to);
        expect(days[0]).toBe(from);
        expect(days.at(-1)).toBe(to);
        expect(days.every((day, index) => index === 0 || day > days[index - 1]!)).toBe(true);
        const { start, end } = daysInZone(range.from, range.to, zone);
        expect(end - start).toBeGreaterThanOrEqual(days.length * 86_400_000 - 2 * 3_600_000);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses, on the field, a date outside the calendar instead of looping', () => {
    for (const [query, field] of [
      [{ date: '9999-12-31' }, 'date'],
      [{ from: '9999-12-01', to: '9999-12-31' }, 'from'],
      [{ from: '1899-12-31', to: '1900-01-01' }, 'from'],
      [{ from: '9998-12-31', to: '9999-01-01' }, 'to'],
    ] as const) {
      let errors: Record<string, string[]> | undefined;
      try {
        checkedDayRange(query);
      } catch (error) {
        errors = (error as ValidationError).errors;
      }
      expect(errors?.[field]?.[0]).toMatch(/from 1900-01-01 to 9998-12-31/);
    }
    expect(datesFrom('9998-12-30', '9998-12-31')).toEqual(['9998-12-30', '9998-12-31']);
  });
});
