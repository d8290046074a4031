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

describe('the local EventBridge Scheduler, through the AWS SDK adapter', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  async function setUp(invoke: (arn: string, event: unknown) => Promise<unknown>) {
    const log: string[] = [];
    const scheduler = await startLocalScheduler({ invoke, timeScale: 0.0001, log: (line) => log.push(line) });
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
    return { scheduler, schedules: createEventBridgeSchedules(config, client), log };
  }

  it('fires a schedule at its second with its input, then deletes it; creating it twice or deleting it when gone is no error', async () => {
    const fired: Array<{ arn: string; event: unknown; at: number }> = [];
    const { scheduler, schedules } = await setUp(async (arn, event) => fired.push({ arn, event, at: Date.now() }));
    const at = new Date(Math.ceil((Date.now() + 1000) / 1000) * 1000);
    const input = { workspaceId: 3, userId: 401, trackerId: 't-1' };
    await schedules.create({ name: 'auto-stop-t-1', at, input });
    await schedules.create({ name: 'auto-stop-t-1', at, input });
    expect(scheduler.pending()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, at.getTime() - Date.now() + 200));
    expect(fired).toEqual([{ arn: 'arn:aws:lambda:us-east-1:000000000000:function:auto-stop', event: { workspace_id: 3, user_id: 401, tracker_id: 't-1' }, at: expect.any(Number) }]);
    expect(fired[0]!.at).toBeGreaterThanOrEqual(at.getTime());
    expect(fired[0]!.at - at.getTime()).toBeLessThan(150);
    expect(scheduler.pending()).toEqual([]);
    await expect(schedules.delete('auto-stop-t-1')).resolves.toBeUndefined();
  });

  it('deleting a schedule before its time means it never fires', async () => {
    const fired: unknown[] = [];
    const { schedules } = await setUp(async (_arn, event) => fired.push(event));
    await schedules.create({ name: 'auto-stop-t-2', at: new Date(Math.ceil((Date.now() + 1000) / 1000) * 1000), input: { workspaceId: 3, userId: 402, trackerId: 't-2' } });
    await schedules.delete('auto-stop-t-2');
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(fired).toEqual([]);
  });

  it('retries an invocation that fails, as Lambda retries an asynchronous one (twice), then dead-letters it', async () => {
    let calls = 0;
    const { schedules, log } = await setUp(async () => {
      calls += 1;
      throw new Error('DynamoDB unavailable');
    });
    await schedules.create({ name: 'auto-stop-t-3', at: new Date(Date.now() - 1000), input: { workspaceId: 3, userId: 403, trackerId: 't-3' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls).toBe(3);
    expect(log).toEqual([expect.stringContaining('auto-stop schedule auto-stop-t-3 dead-lettered after 3 invocations: Error: DynamoDB unavailable')]);
  });
});
