import { afterEach, describe, expect, it } from '@jest/globals';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { matchesStreamFilter } from '../../shared/contracts/webhook-events.ts';
import { autoStopCommandOf, autoStopScheduleName, autoStopStreamFilterPatterns, scheduleChangeOf } from '../../shared/scheduling/auto-stop-schedules.ts';
import { atExpression, createEventBridgeSchedules } from '../../shared/scheduling/eventbridge-scheduler.ts';
import { startLocalScheduler } from '../../local/scheduler/local-scheduler.ts';

/** What the stream says of trackers and stops, and what the schedules make of it (no DynamoDB, no AWS). */
const now = new Date('2026-12-01T10:00:00.400Z');
const trackerImage = { entity: 'tracker', tracker_id: 't-1', workspace_id: 3, user_id: 401, start_time: '2026-12-01T10:00:00+00:00', auto_stop_at: '2026-12-01T10:01:00+00:00' };

describe('schedule changes from the stream', () => {
  it('makes one schedule per tracker that has a limit, at its auto_stop_at, for exactly that tracker', () => {
    expect(scheduleChangeOf({ eventName: 'INSERT', newImage: trackerImage }, now)).toEqual({
      kind: 'create',
      name: 'auto-stop-t-1',
      at: new Date('2026-12-01T10:01:00Z'),
      input: { workspaceId: 3, userId: 401, trackerId: 't-1' },
    });
    expect(atExpression(new Date('2026-12-01T10:01:00Z'))).toBe('at(2026-12-01T10:01:00)');
  });

  it('never schedules in the past: a record read after the limit fires within two seconds (the entry still ends at the limit)', () => {
    const late = scheduleChangeOf({ eventName: 'INSERT', newImage: trackerImage }, new Date('2026-12-01T10:05:00.300Z'));
    expect(late).toMatchObject({ kind: 'create', at: new Date('2026-12-01T10:05:02Z') });
  });

  it("deletes a tracker's schedule when its entry is recorded; ignores trackers without a limit and everything else", () => {
    expect(scheduleChangeOf({ eventName: 'INSERT', newImage: { entity: 'time_entry_version', entry_id: 't-1', version: 1, auto_stop_at: trackerImage.auto_stop_at } }, now)).toEqual({
      kind: 'delete',
      name: 'auto-stop-t-1',
    });
    const { auto_stop_at: _limit, ...unlimited } = trackerImage;
    expect(scheduleChangeOf({ eventName: 'INSERT', newImage: unlimited }, now)).toBeUndefined();
    expect(scheduleChangeOf({ eventName: 'MODIFY', newImage: trackerImage }, now)).toBeUndefined();
    expect(scheduleChangeOf({ eventName: 'INSERT', newImage: { ...trackerImage, entity: 'active_mark' } }, now)).toBeUndefined();
    expect(scheduleChangeOf({ eventName: 'REMOVE' }, now)).toBeUndefined();
  });

  it('selects exactly those records with the filter the deployed event source mapping uses', () => {
    const record = (eventName: string, image: Record<string, string>) => ({ eventName, dynamodb: { NewImage: Object.fromEntries(Object.entries(image).map(([key, value]) => [key, { S: value }])) } });
    const patterns = autoStopStreamFilterPatterns();
    expect(matchesStreamFilter(patterns, record('INSERT', { entity: 'tracker', auto_stop_at: 'x' }))).toBe(true);
    expect(matchesStreamFilter(patterns, record('INSERT', { entity: 'time_entry_version', auto_stop_at: 'x' }))).toBe(true);
    expect(matchesStreamFilter(patterns, record('INSERT', { entity: 'tracker' }))).toBe(false);
    expect(matchesStreamFilter(patterns, record('INSERT', { entity: 'time_entry_version' }))).toBe(false);
    expect(matchesStreamFilter(patterns, record('INSERT', { entity: 'active_mark', auto_stop_at: 'x' }))).toBe(false);
    expect(matchesStreamFilter(patterns, record('MODIFY', { entity: 'tracker', auto_stop_at: 'x' }))).toBe(false);
  });

  it("reads the auto-stop function's input strictly", () => {
    expect(autoStopCommandOf({ workspace_id: 3, user_id: 401, tracker_id: 't-1' })).toEqual({ workspaceId: 3, userId: 401, trackerId: 't-1' });
    for (const bad of [
      undefined,
      null,
      'x',
      {},
      { workspace_id: '3', user_id: 401, tracker_id: 't' },
      { workspace_id: 3, user_id: 401, tracker_id: '' },
      { workspace_id: 3, user_id: 1.5, tracker_id: 't' },
    ]) {
      expect(autoStopCommandOf(bad)).toBeUndefined();
    }
    expect(autoStopScheduleName('9b2f6c1e-4d3a-4f7b-8a52-1c0e5d7f3a90')).toMatch(/^[0-9a-zA-Z\-_.]{1,64}$/);
  });
});

/**
 * A clock the test advances by hand: the scheduler's timers run when their time comes on
 * it, so that "at its second", "never" and "three times" are facts, not waits.
 */
function handClock(start: number) {
  let now = start;
  const pending = new Map<number, { at: number; run: () => void }>();
  let next = 1;
  return {
    timers: {
      now: () => now,
      setTimeout: (run: () => void, ms: number) => {
        const handle = next++;
        pending.set(handle, { at: now + ms, run });
        return handle;
      },
      clearTimeout: (handle: unknown) => void pending.delete(handle as number),
    },
    /** When each pending timer is due, in order. */
    due: () => [...pending.values()].map((timer) => timer.at).sort((a, b) => a - b),
    /** Moves the clock to `to`, running every timer due by then (and the promises they start) in time order. */
    async advanceTo(to: number) {
      for (;;) {
        const [handle, timer] = [...pending.entries()].sort(([, a], [, b]) => a.at - b.at)[0] ?? [];
        if (handle === undefined || timer!.at > to) break;
        pending.delete(handle);
        now = timer!.at;
        timer!.run();
        // Let the invocation it started settle (and schedule its retry) before the next timer.
        await new Promise((resolve) => setImmediate(resolve));
      }
      now = to;
    },
  };
}

describe('the local EventBridge Scheduler, through the AWS SDK adapter', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });
  const T0 = Date.parse('2030-05-01T12:00:00.250Z');

  async function setUp(invoke: (arn: string, event: unknown) => Promise<unknown>) {
    const log: string[] = [];
    const clock = handClock(T0);
    const scheduler = await startLocalScheduler({ invoke, timeScale: 1, log: (line) => log.push(line), timers: clock.timers });
    const client = new SchedulerClient({ endpoint: scheduler.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    stop = async () => {
      client.destroy();
      await scheduler.stop();
    };
    const config = {
      scheduleGroup: 'group',
      targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:auto-stop',
      roleArn: 'arn:aws:iam::000000000000:role/r',
      deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:q',
    };
    return { scheduler, schedules: createEventBridgeSchedules(config, client), log, clock };
  }

  it('fires a schedule at its second with its input, then deletes it; creating it twice or deleting it when gone is no error', async () => {
    const fired: Array<{ arn: string; event: unknown; at: number }> = [];
    const { scheduler, schedules, clock } = await setUp(async (arn, event) => fired.push({ arn, event, at: clock.timers.now() }));
    const at = new Date(Math.ceil((T0 + 1000) / 1000) * 1000);
    const input = { workspaceId: 3, userId: 401, trackerId: 't-1' };
    await schedules.create({ name: 'auto-stop-t-1', at, input });
    await schedules.create({ name: 'auto-stop-t-1', at, input });
    expect(scheduler.pending()).toHaveLength(1);
    expect(clock.due()).toEqual([at.getTime()]);
    await clock.advanceTo(at.getTime() - 1);
    expect(fired).toEqual([]);
    await clock.advanceTo(at.getTime());
    expect(fired).toEqual([{ arn: 'arn:aws:lambda:us-east-1:000000000000:function:auto-stop', event: { workspace_id: 3, user_id: 401, tracker_id: 't-1' }, at: at.getTime() }]);
    expect(scheduler.pending()).toEqual([]);
    await expect(schedules.delete('auto-stop-t-1')).resolves.toBeUndefined();
  });

  it('deleting a schedule before its time means it never fires', async () => {
    const fired: unknown[] = [];
    const { schedules, clock } = await setUp(async (_arn, event) => fired.push(event));
    await schedules.create({ name: 'auto-stop-t-2', at: new Date(T0 + 1000), input: { workspaceId: 3, userId: 402, trackerId: 't-2' } });
    expect(clock.due()).toHaveLength(1);
    await schedules.delete('auto-stop-t-2');
    // Nothing is left to run, at any time.
    expect(clock.due()).toEqual([]);
    await clock.advanceTo(T0 + 365 * 86_400_000);
    expect(fired).toEqual([]);
  });

  it('retries an invocation that fails, as Lambda retries an asynchronous one (twice, a minute then two later), then dead-letters it', async () => {
    const calls: number[] = [];
    const { schedules, log, clock } = await setUp(async () => {
      calls.push(clock.timers.now());
      throw new Error('DynamoDB unavailable');
    });
    await schedules.create({ name: 'auto-stop-t-3', at: new Date(T0 - 1000), input: { workspaceId: 3, userId: 403, trackerId: 't-3' } });
    await clock.advanceTo(T0 + 10 * 60_000);
    expect(calls).toEqual([T0, T0 + 60_000, T0 + 180_000]);
    expect(log).toEqual([expect.stringContaining('auto-stop schedule auto-stop-t-3 dead-lettered after 3 invocations: Error: DynamoDB unavailable')]);
    expect(clock.due()).toEqual([]);
  });
});
