import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createTrackingRepository } from '../../shared/db/tracking-repository.ts';
import { keys } from '../../shared/db/keys.ts';
import { AutoStopNotDueError, autoStopTracker } from '../../shared/tracking/auto-stop.ts';
import type { ActiveTracker } from '../../shared/tracking/model.ts';
import { startTimeTracking } from '../../shared/tracking/start-time-tracking.ts';
import { stopTimeTracking } from '../../shared/tracking/stop-time-tracking.ts';
import { updateWorkspaceSettings } from '../../shared/tracking/workspace-settings.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { timeEntryViolations } from '../support/tracking-invariants.ts';

/**
 * The auto-stop use case against the real DynamoDB Local: the entry ends at exactly the
 * tracker's limit whenever the stop runs, exactly once, whatever it races; nothing is
 * written for a tracker already stopped, or stopped and followed by another one.
 */
let table: TestTable;
let repository: ReturnType<typeof createTrackingRepository>;

beforeAll(async () => {
  table = await createTestTable('autostop');
  await table.seed(testSeed);
  repository = createTrackingRepository(table.client, table.tableName);
});
afterAll(() => table.drop());
beforeEach(() => table.clearTrackingData());

const t0 = new Date('2026-12-01T09:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
let requests = 0;
async function startLimited(user: number, minutes: number | null, when = t0): Promise<ActiveTracker> {
  await updateWorkspaceSettings(users.owner, WS, { maxTrackerDurationMinutes: minutes }, { repository, now: when });
  return startTimeTracking(
    users.owner,
    { workspaceId: WS, userId: user, contractId: null, taskId: null, activityDescription: 'Forgot to stop' },
    { repository, now: when, newId: () => `tracker-${++requests}`, requestId: `request-${requests}` },
  );
}
const entriesOf = async (user: number) => (await table.scan()).filter((item) => item.pk === keys.timeEntriesPk(WS, user) && String(item.sk).startsWith('ENTRY#'));

describe('autoStopTracker', () => {
  it('ends the entry at exactly auto_stop_at, however late it runs: max_duration, stopped by nobody, recorded by the service', async () => {
    const tracker = await startLimited(users.member, 1);
    expect(tracker.autoStopAt).toBe('2026-12-01T09:01:00+00:00');
    expect(await autoStopTracker({ workspaceId: WS, userId: users.member, trackerId: tracker.trackerId }, { repository, now: at(97) })).toBe('stopped');
    const [entry] = await entriesOf(users.member);
    expect(entry).toMatchObject({
      entry_id: tracker.trackerId,
      start_time: '2026-12-01T09:00:00+00:00',
      end_time: '2026-12-01T09:01:00+00:00',
      duration_seconds: 60,
      stop_reason: 'max_duration',
      stopped_by: null,
      created_by: users.owner,
    });
    const version = await table.get(keys.timeEntryVersion(tracker.trackerId, 1));
    // `by: null` is the service; the tracker's limit rides along for the schedules function.
    expect(version).toMatchObject({ action: 'created', by: null, source: 'tracker', auto_stop_at: '2026-12-01T09:01:00+00:00' });
    expect(await table.get(keys.activeTracker(users.member))).toBeUndefined();
    expect(await table.get(keys.workspaceActiveTracker(WS, users.member))).toBeUndefined();
    expect(timeEntryViolations(await table.scan())).toEqual([]);
  });

  it('does nothing for a tracker already stopped, or stopped and followed by another one', async () => {
    const first = await startLimited(users.member, 1);
    await stopTimeTracking(users.owner, { workspaceId: WS, userId: users.member }, { repository, now: at(30), requestId: 'stop-30' });
    const second = await startLimited(users.member, 10, at(31));
    const before = await table.scan();
    expect(await autoStopTracker({ workspaceId: WS, userId: users.member, trackerId: first.trackerId }, { repository, now: at(60) })).toBe('not_running');
    expect(await table.scan()).toEqual(before);
    expect((await table.get(keys.activeTracker(users.member)))?.tracker_id).toBe(second.trackerId);
    expect((await entriesOf(users.member)).map((entry) => [entry.stop_reason, entry.stopped_by, entry.end_time])).toEqual([['manual', users.owner, '2026-12-01T09:00:30+00:00']]);
  });

  it('refuses to run early (so that the invocation is retried), writing nothing', async () => {
    const tracker = await startLimited(users.member, 1);
    const before = await table.scan();
    await expect(autoStopTracker({ workspaceId: WS, userId: users.member, trackerId: tracker.trackerId }, { repository, now: at(59) })).rejects.toBeInstanceOf(AutoStopNotDueError);
    expect(await table.scan()).toEqual(before);
  });

  it('races a stop sent after the limit: one entry, ending at the limit either way', async () => {
    for (let round = 0; round < 6; round++) {
      await table.clearTrackingData();
      const tracker = await startLimited(users.member, 1);
      const [manual, automatic] = await Promise.allSettled([
        stopTimeTracking(users.owner, { workspaceId: WS, userId: users.member }, { repository, now: at(61), requestId: 'stop-61' }),
        autoStopTracker({ workspaceId: WS, userId: users.member, trackerId: tracker.trackerId }, { repository, now: at(61) }),
      ]);
      const entries = await entriesOf(users.member);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ end_time: '2026-12-01T09:01:00+00:00', stop_reason: 'max_duration', stopped_by: null });
      // Exactly one of them recorded it: the other saw no tracker.
      const manualWon = manual.status === 'fulfilled';
      expect(automatic).toEqual({ status: 'fulfilled', value: manualWon ? 'not_running' : 'stopped' });
      if (!manualWon) expect((manual as PromiseRejectedResult).reason).toMatchObject({ code: 'no_active_tracker' });
      expect(timeEntryViolations(await table.scan())).toEqual([]);
    }
  });

  it('leaves a stop before the limit an ordinary one, and a tracker without a limit never stops itself', async () => {
    await startLimited(users.member, 1);
    const { entry } = await stopTimeTracking(users.owner, { workspaceId: WS, userId: users.member }, { repository, now: at(59), requestId: 'stop-59' });
    expect(entry).toMatchObject({ endTime: '2026-12-01T09:00:59+00:00', stopReason: 'manual', stoppedBy: users.owner });
    const unlimited = await startLimited(users.otherMember, null, at(100));
    expect(unlimited.autoStopAt).toBeNull();
    expect(await autoStopTracker({ workspaceId: WS, userId: users.otherMember, trackerId: unlimited.trackerId }, { repository, now: at(100_000) })).toBe('not_running');
    expect(await table.get(keys.activeTracker(users.otherMember))).toMatchObject({ tracker_id: unlimited.trackerId });
  });
});
