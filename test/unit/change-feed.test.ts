import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { justAfter } from '../../shared/db/change-feed-repository.ts';
import { keys } from '../../shared/db/keys.ts';
import { CursorExpiredError, ValidationError } from '../../shared/errors.ts';
import { changeTypesOf, cursorOf, positionOfCursor } from '../../shared/tracking/change-feed.ts';

/** The change feed's pure parts (docs/change-feed.md): positions, the bound after one, cursors. */
const at = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }).map((date) => `${date.toISOString().slice(0, 19)}+00:00`);
const position = fc
  .tuple(
    at,
    fc.constantFrom('time_entry', 'member', 'project', 'contract', 'task', 'workspace'),
    fc.oneof(fc.uuid(), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map(String)),
    fc.integer({ min: 1, max: 9_999_999_999 }),
  )
  .map(([time, type, id, revision]) => keys.changeFeedPosition(time, type, id, revision));

describe('the change feed', () => {
  it('bounds a read just after a position: above it, and at or below every greater position (so nothing is skipped or repeated)', () => {
    fc.assert(
      fc.property(position, position, (a, b) => {
        expect(justAfter(a) > a).toBe(true);
        if (b > a) expect(justAfter(a) <= b).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back its own cursors, and refuses another workspace’s, a malformed and a retired one', () => {
    fc.assert(fc.property(position, fc.integer({ min: 1, max: 1_000_000 }), (place, workspaceId) => expect(positionOfCursor(cursorOf(workspaceId, place), workspaceId)).toBe(place)));
    expect(positionOfCursor(cursorOf(3, ''), 3)).toBe('');
    const fieldOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof ValidationError ? Object.keys(error.errors) : error instanceof CursorExpiredError ? error.code : 'other';
      }
      return 'accepted';
    };
    expect(fieldOf(() => positionOfCursor(cursorOf(4, ''), 3))).toEqual(['since']);
    expect(fieldOf(() => positionOfCursor('bm90IGpzb24', 3))).toEqual(['since']);
    expect(fieldOf(() => positionOfCursor(Buffer.from(JSON.stringify({ v: 1, w: 3, p: 'x#y' })).toString('base64url'), 3))).toEqual(['since']);
    expect(fieldOf(() => positionOfCursor(Buffer.from(JSON.stringify({ v: 2, w: 3, p: '' })).toString('base64url'), 3))).toBe('cursor_expired');
  });

  it('reads types= as distinct known types', () => {
    expect(changeTypesOf(undefined)).toBeUndefined();
    expect(changeTypesOf('member,time_entry')).toEqual(['member', 'time_entry']);
    expect(() => changeTypesOf('member,member')).toThrow(ValidationError);
    expect(() => changeTypesOf('timesheets')).toThrow(ValidationError);
  });
});
