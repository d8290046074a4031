import { describe, expect, it } from '@jest/globals';
import { directoryChangeItem } from '../../shared/db/directory-repository.ts';
import type { DirectoryRecord } from '../../shared/tracking/directory.ts';
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { attemptDelivery, retryDelaySeconds, type AttemptOutcome, type DeliveryDeps } from '../../shared/webhooks/delivery.ts';
import { deliveryAddresses, isReservedAddress, urlProblem } from '../../shared/webhooks/destination.ts';
import { fanOut, messageIdOf, queueDeliveries, trackingEventsOf } from '../../shared/webhooks/events.ts';
import { timeEntryVersionToItem } from '../../shared/db/item-mappers.ts';
import type { TimeEntry, TimeEntryVersion } from '../../shared/tracking/model.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import {
  eventKeyOf,
  imageOf,
  matchesStreamFilter,
  WEBHOOK_EVENT_TYPES,
  webhookEventRegistry,
  webhookPayloadSchema,
  webhookStreamFilterPatterns,
  type WebhookEventDeclaration,
} from '../../shared/contracts/webhook-events.ts';
import { tableDefinition } from '../../shared/db/table-definition.ts';
import { timesheetChangeItem } from '../../shared/db/timesheet-repository.ts';
import { timeRequestWrites } from '../../shared/db/time-request-repository.ts';
import { exportItemOf } from '../../shared/db/export-repository.ts';
import type { ExportJob } from '../../shared/tracking/exports.ts';
import type { TimeRequest } from '../../shared/tracking/model.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
import type { WebhookSubscription } from '../../shared/webhooks/model.ts';
import { newWebhookSecret } from '../../shared/webhooks/secrets.ts';

/** The webhook pipeline's pure parts: what counts as an event, who gets it, where it may go, how it is signed. */
const subscription = (overrides: Partial<WebhookSubscription> = {}): WebhookSubscription => ({
  id: 'wh_1',
  workspaceId: 1,
  url: 'https://hooks.example.com/x',
  events: ['tracker.started', 'tracker.stopped'],
  description: null,
  // Stored before secrets were sealed: opened as it is (the delivery tests need no KMS).
  sealedSecret: newWebhookSecret(),
  createdAt: '2024-01-15T09:00:00+00:00',
  status: 'enabled',
  disabledReason: null,
  sealedPreviousSecret: null,
  previousSecretUntil: null,
  createdBy: null,
  failingSince: null,
  ...overrides,
});

/** An attempt's outcome without what the delivery log records of it. */
const bare = ({ sent: _sent, subscription: _subscription, ...outcome }: AttemptOutcome) => outcome;
const trackerImage = {
  entity: 'tracker',
  tracker_id: 't-1',
  workspace_id: 1,
  user_id: 101,
  contract_id: null,
  project_id: null,
  task_id: null,
  activity_description: null,
  start_time: '2024-01-15T10:00:00+00:00',
  started_by: 100,
  request_id: 'r',
};

const entry = (overrides: Partial<TimeEntry> = {}): TimeEntry => ({
  entryId: 't-1',
  workspaceId: 1,
  userId: 101,
  contractId: null,
  projectId: null,
  taskId: null,
  activityDescription: null,
  startTime: '2024-01-15T10:00:00+00:00',
  endTime: '2024-01-15T11:00:00+00:00',
  durationSeconds: 3600,
  source: 'tracker',
  stopReason: 'manual',
  stoppedBy: 100,
  createdBy: 100,
  createdAt: '2024-01-15T11:00:00+00:00',
  updatedBy: 100,
  updatedAt: '2024-01-15T11:00:00+00:00',
  version: 1,
  ...overrides,
});
/** A history version's item, as the stream shows it (the repository's own mapper). */
const versionImage = (action: TimeEntryVersion['action'], version: number, overrides: Partial<TimeEntry> = {}) =>
  timeEntryVersionToItem({
    entryId: 't-1',
    workspaceId: 1,
    userId: 101,
    version,
    action,
    at: '2024-01-15T11:00:00+00:00',
    by: 100,
    changes: action === 'updated' ? { end_time: ['2024-01-15T11:00:00+00:00', '2024-01-15T11:30:00+00:00'] } : {},
    entry: entry({ version, ...overrides }),
  });
const types = (record: Parameters<typeof trackingEventsOf>[0]) => trackingEventsOf(record).map((event) => event.type);

describe('events from the stream', () => {
  it("a new tracker is tracker.started; an entry version is time_entry.<action>, and a stopped tracker's first one tracker.stopped too; anything else is nothing", () => {
    expect(trackingEventsOf({ eventName: 'INSERT', newImage: trackerImage })).toMatchObject([{ type: 'tracker.started', workspaceId: 1, eventKey: 'tracker.started:t-1' }]);
    expect(types({ eventName: 'INSERT', newImage: versionImage('created', 1) })).toEqual(['tracker.stopped', 'time_entry.created']);
    expect(types({ eventName: 'INSERT', newImage: versionImage('created', 1, { source: 'manual' }) })).toEqual(['time_entry.created']);
    expect(types({ eventName: 'INSERT', newImage: versionImage('updated', 2) })).toEqual(['time_entry.updated']);
    expect(types({ eventName: 'INSERT', newImage: versionImage('deleted', 3) })).toEqual(['time_entry.deleted']);
    // The listed copy of an entry is no event: an edit that moves it would otherwise repeat tracker.stopped.
    expect(types({ eventName: 'INSERT', newImage: { ...trackerImage, entity: 'time_entry', entry_id: 't-1', end_time: '2024-01-15T11:00:00+00:00' } })).toEqual([]);
    expect(types({ eventName: 'REMOVE', newImage: trackerImage })).toEqual([]);
    expect(types({ eventName: 'INSERT', newImage: { entity: 'membership' } })).toEqual([]);
  });

  it('gives each version of an entry its own event key, and tracker.stopped the key it always had', () => {
    const keys = [versionImage('created', 1), versionImage('updated', 2), versionImage('updated', 3)].flatMap((image) =>
      trackingEventsOf({ eventName: 'INSERT', newImage: image }).map((event) => event.eventKey),
    );
    expect(keys).toEqual(['tracker.stopped:t-1', 'time_entry.created:t-1:1', 'time_entry.updated:t-1:2', 'time_entry.updated:t-1:3']);
  });

  it('fans out to the subscriptions of the workspace that asked for the type and existed then, with one stable id each', () => {
    const event = trackingEventsOf({ eventName: 'INSERT', newImage: trackerImage })[0]!;
    const deliveries = fanOut(event, [
      subscription({ id: 'wh_a' }),
      subscription({ id: 'wh_b', events: ['tracker.stopped'] }),
      subscription({ id: 'wh_c', workspaceId: 2 }),
      subscription({ id: 'wh_d', createdAt: '2024-01-15T10:00:01+00:00' }),
    ]);
    expect(deliveries.map((delivery) => delivery.subscriptionId)).toEqual(['wh_a']);
    expect(fanOut(event, [subscription({ id: 'wh_a' })])[0]!.messageId).toBe(deliveries[0]!.messageId);
    expect(fanOut(event, [subscription({ id: 'wh_z' })])[0]!.messageId).not.toBe(deliveries[0]!.messageId);
  });
});

describe('the event registry', () => {
  it('every event built from its item matches its payload schema (the one OpenAPI publishes)', () => {
    const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
    // The directory's change entries, as its writes store them: every kind, made, changed and (a member) removed.
    const records: DirectoryRecord[] = [
      {
        kind: 'member',
        workspaceId: 1,
        id: 7,
        fields: { role: 'regular_user', status: 'active', name: 'Ola', email: null },
        revision: 2,
        sourceVersion: 3,
        updatedAt: '2024-01-15T10:00:00+00:00',
        updatedBy: 100,
      },
      { kind: 'project', workspaceId: 1, id: 8, fields: { name: 'Site', status: 'archived' }, revision: 2, sourceVersion: null, updatedAt: '2024-01-15T10:00:00+00:00', updatedBy: 100 },
      {
        kind: 'contract',
        workspaceId: 1,
        id: 9,
        fields: { user_id: 7, project_id: 8, status: 'active', billable: true, rate_history: '[{"from":"2024-01-01","hourly_rate":{"amount":4500,"currency":"EUR"}}]' },
        revision: 2,
        sourceVersion: null,
        updatedAt: '2024-01-15T10:00:00+00:00',
        updatedBy: 100,
      },
      { kind: 'task', workspaceId: 1, id: 10, fields: { project_id: 8, title: 'Copy', status: 'open' }, revision: 2, sourceVersion: null, updatedAt: '2024-01-15T10:00:00+00:00', updatedBy: 100 },
    ];
    const audit = { at: '2024-01-15T10:00:00+00:00', by: 100, action: 'put' as const, changes: { status: ['active', 'archived'] as [unknown, unknown] } };
    const changeImages = records.flatMap((record) => [
      directoryChangeItem(record, record, audit, { created: true }),
      directoryChangeItem(record, record, audit, { created: false }),
      ...(record.kind === 'member' ? [directoryChangeItem(record, undefined, { ...audit, action: 'delete' as const }, { created: false })] : []),
    ]);
    // A timesheet's status changes, as a transition stores them.
    const period = { start: '2024-01-15', end: '2024-01-21' };
    const timesheetImages = (['submit', 'unsubmit', 'approve', 'reject', 'reopen'] as const).map((transition, index) => {
      const record = { status: 'approved' as const, revision: index + 1, submittedAt: null, submittedBy: null, decidedAt: '2024-01-22T09:00:00+00:00', decidedBy: 100, reason: 'x', approved: null };
      const figures = { totalSeconds: 3600, billableSeconds: 0, amounts: [{ currency: 'EUR', amount: 4500 }], days: [{ date: '2024-01-15', seconds: 3600 }], entries: 1 };
      return timesheetChangeItem({
        workspaceId: 1,
        userId: 7,
        period,
        record,
        seenRevision: index,
        lock: 0,
        change: { transition, at: '2024-01-22T09:00:00+00:00', by: 100, view: { id: '7_2024-01-15_2024-01-21', userId: 7, period, record, version: 3, figures } },
      });
    });
    const events = [trackerImage, versionImage('created', 1), versionImage('updated', 2), versionImage('deleted', 3), ...changeImages, ...timesheetImages].flatMap((image) =>
      trackingEventsOf({ eventName: 'INSERT', newImage: image }),
    );
    // A time request's by-id copy: made, then approved or rejected (a MODIFY each).
    const request: TimeRequest = {
      id: '7_0b7c1f9e-5d2a-4c3b-9e8f-1a2b3c4d5e6f',
      workspaceId: 1,
      userId: 7,
      startTime: '2024-01-15T09:00:00+00:00',
      endTime: '2024-01-15T10:00:00+00:00',
      durationSeconds: 3600,
      contractId: null,
      projectId: null,
      taskId: null,
      note: null,
      status: 'pending',
      revision: 1,
      createdAt: '2024-01-16T09:00:00+00:00',
      decidedAt: null,
      decidedBy: null,
      comment: null,
      timeEntryId: null,
    };
    const requestImage = (changed: Partial<TimeRequest>) => timeRequestWrites('t', { ...request, ...changed }, undefined)[0]!.Put!.Item as Record<string, unknown>;
    events.push(
      ...trackingEventsOf({ eventName: 'INSERT', newImage: requestImage({}) }),
      ...trackingEventsOf({ eventName: 'MODIFY', newImage: requestImage({ status: 'approved', revision: 2, decidedAt: '2024-01-16T10:00:00+00:00', decidedBy: 100, timeEntryId: 'x' }) }),
      ...trackingEventsOf({ eventName: 'MODIFY', newImage: requestImage({ status: 'rejected', revision: 2, decidedAt: '2024-01-16T10:00:00+00:00', decidedBy: 100, comment: 'no' }) }),
    );
    // An export's record, ended by its job (a MODIFY): completed, or failed with its error.
    const job: ExportJob = {
      exportId: '0194f3a2b4c1d2e3f4a5b6c7d8e9f0a1b2c3',
      workspaceId: 1,
      report: 'detailed',
      format: 'csv',
      parameters: { from: '2024-01-01', to: '2024-01-31' },
      status: 'running',
      createdAt: '2024-02-01T09:00:00+00:00',
      createdBy: 100,
      startedAt: '2024-02-01T09:00:01+00:00',
      completedAt: null,
      rowCount: null,
      bytes: null,
      error: null,
      revision: 2,
      objectKey: 'workspaces/1/exports/0194f3a2b4c1d2e3f4a5b6c7d8e9f0a1b2c3.csv',
      leaseUntil: null,
      attempts: 1,
      checkpoint: null,
    };
    events.push(
      ...trackingEventsOf({ eventName: 'MODIFY', newImage: exportItemOf({ ...job, status: 'completed', revision: 3, completedAt: '2024-02-01T09:00:05+00:00', rowCount: 10, bytes: 900 }) }),
      ...trackingEventsOf({
        eventName: 'MODIFY',
        newImage: exportItemOf({ ...job, status: 'failed', revision: 3, completedAt: '2024-02-01T09:00:05+00:00', error: { code: 'source_unavailable', message: 'x' } }),
      }),
      // Queued and claimed: no event.
      ...trackingEventsOf({ eventName: 'INSERT', newImage: exportItemOf({ ...job, status: 'queued', revision: 1 }) }),
      ...trackingEventsOf({ eventName: 'MODIFY', newImage: exportItemOf(job) }),
    );
    expect(events.map((event) => event.type).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    for (const event of events) {
      const validate = ajv.compile(webhookPayloadSchema(event.type));
      expect({ type: event.type, valid: validate(JSON.parse(event.payload)), errors: validate.errors }).toEqual({ type: event.type, valid: true, errors: null });
    }
    expect(Object.keys(webhookEventRegistry).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
  });

  it('gives a MODIFY event a key per version: a later change never reuses an earlier webhook-id', () => {
    const modify: WebhookEventDeclaration = { description: 'd', streamEvent: 'MODIFY', entity: 'time_entry', identity: ['entry_id'], version: 'version', occurredAt: 'updated_at', data: {} };
    const first = eventKeyOf('time_entry.updated', modify, { entry_id: 'e-1', version: 2 });
    expect(eventKeyOf('time_entry.updated', modify, { entry_id: 'e-1', version: 2 })).toBe(first);
    expect(eventKeyOf('time_entry.updated', modify, { entry_id: 'e-1', version: 3 })).not.toBe(first);
    expect(messageIdOf(first, 'wh_1')).not.toBe(messageIdOf(eventKeyOf('time_entry.updated', modify, { entry_id: 'e-1', version: 3 }), 'wh_1'));
  });

  it('derives one filter pattern per stream event, reading REMOVE from the old image', () => {
    const patterns = webhookStreamFilterPatterns({
      a: { description: 'd', streamEvent: 'INSERT', entity: 'x', identity: ['id'], occurredAt: 't', data: {} },
      b: { description: 'd', streamEvent: 'INSERT', entity: 'y', identity: ['id'], occurredAt: 't', data: {} },
      c: { description: 'd', streamEvent: 'REMOVE', entity: 'x', identity: ['id'], occurredAt: 't', data: {} },
    });
    expect(patterns).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['x', 'y'] } } } },
      { eventName: ['REMOVE'], dynamodb: { OldImage: { entity: { S: ['x'] } } } },
    ]);
    expect(matchesStreamFilter(patterns, { eventName: 'REMOVE', dynamodb: { OldImage: { entity: { S: 'x' } } } })).toBe(true);
    expect(matchesStreamFilter(patterns, { eventName: 'REMOVE', dynamodb: { NewImage: { entity: { S: 'x' } } } })).toBe(false);
    expect(matchesStreamFilter(patterns, { eventName: 'MODIFY', dynamodb: { NewImage: { entity: { S: 'x' } } } })).toBe(false);
  });

  it('the table stream carries every image the registry reads', () => {
    const needs = new Set(Object.values(webhookEventRegistry as Record<string, WebhookEventDeclaration>).map((declaration) => imageOf(declaration.streamEvent)));
    const carried = { NEW_IMAGE: ['NewImage'], OLD_IMAGE: ['OldImage'], NEW_AND_OLD_IMAGES: ['NewImage', 'OldImage'], KEYS_ONLY: [] }[tableDefinition.streamViewType];
    for (const image of needs) expect(carried).toContain(image);
  });
});

describe('destinations', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1'])('%s is reserved', (address) => {
    expect(isReservedAddress(address)).toBe(true);
  });
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111'])('%s is public', (address) => expect(isReservedAddress(address)).toBe(false));

  it('subscribes https, and plain http only to loopback where allowed', () => {
    expect(urlProblem('https://hooks.example.com/x', { allowLoopbackHttp: false })).toBeUndefined();
    expect(urlProblem('http://127.0.0.1:9/x', { allowLoopbackHttp: true })).toBeUndefined();
    expect(urlProblem('http://127.0.0.1:9/x', { allowLoopbackHttp: false })).toMatch(/https/);
    expect(urlProblem('https://user:pass@hooks.example.com/', { allowLoopbackHttp: false })).toMatch(/credentials/);
  });

  it('refuses at delivery time a host that resolves to a reserved address (DNS can change after subscribing)', async () => {
    const url = new URL('https://rebinding.example/x');
    expect(await deliveryAddresses(url, { allowLoopbackHttp: false, resolve: async () => ['169.254.169.254'] })).toEqual({ refused: 'host resolves to a reserved address' });
    expect(await deliveryAddresses(url, { allowLoopbackHttp: false, resolve: async () => ['93.184.216.34', '10.0.0.1'] })).toMatchObject({ refused: expect.any(String) });
    expect(await deliveryAddresses(url, { allowLoopbackHttp: false, resolve: async () => ['93.184.216.34'] })).toEqual({ addresses: ['93.184.216.34'] });
  });
});

describe('a delivery attempt', () => {
  const event = trackingEventsOf({ eventName: 'INSERT', newImage: trackerImage })[0]!;
  const sub = subscription();
  const [delivery] = fanOut(event, [sub]);
  const deps = (overrides: Partial<DeliveryDeps> = {}): DeliveryDeps => ({
    getSubscription: async () => sub,
    resolve: async () => ['93.184.216.34'],
    allowLoopbackHttp: false,
    now: () => new Date('2024-01-15T10:00:05Z'),
    disable: async () => {},
    stillManages: async () => true,
    openSecret: async (sealed) => sealed,
    ...overrides,
  });

  it('signs per Standard Webhooks: the library verifies it, and so does the HMAC computed by hand', async () => {
    let sent: { headers: Record<string, string>; body: string } | undefined;
    const result = await attemptDelivery(delivery!, deps({ post: async (_url, address, headers, body) => ((sent = { headers, body }), expect(address).toBe('93.184.216.34'), { status: 204 }) }));
    expect(bare(result)).toEqual({ outcome: 'delivered', status: 204 });
    expect(sent!.headers['webhook-timestamp']).toBe(String(Date.parse('2024-01-15T10:00:05Z') / 1000));
    const byHand = createHmac('sha256', Buffer.from(sub.sealedSecret.slice('whsec_'.length), 'base64'))
      .update(`${delivery!.messageId}.${sent!.headers['webhook-timestamp']}.${sent!.body}`)
      .digest('base64');
    expect(sent!.headers['webhook-signature']).toBe(`v1,${byHand}`);
  });

  it('is verified by the standardwebhooks library with the secret, and only with it', async () => {
    // Signed now: the library checks the timestamp's freshness before the signature.
    let sent: { headers: Record<string, string>; body: string } | undefined;
    await attemptDelivery(delivery!, deps({ now: () => new Date(), post: async (_url, _address, headers, body) => ((sent = { headers, body }), { status: 204 }) }));
    expect(new Webhook(sub.sealedSecret).verify(sent!.body, sent!.headers)).toEqual(JSON.parse(sent!.body));
    expect(() => new Webhook(newWebhookSecret()).verify(sent!.body, sent!.headers)).toThrow(/signature/i);
    expect(() => new Webhook(sub.sealedSecret).verify(sent!.body.replace('101', '102'), sent!.headers)).toThrow(/signature/i);
    expect(() => new Webhook(sub.sealedSecret).verify(sent!.body, { ...sent!.headers, 'webhook-id': 'msg_other' })).toThrow(/signature/i);
  });

  it('signs with the previous secret too during the rotation overlap, and with the current one alone after it', async () => {
    const previous = newWebhookSecret();
    const rotated = { ...sub, sealedPreviousSecret: previous, previousSecretUntil: '2024-01-16T10:00:05+00:00' };
    const signaturesAt = async (now: Date) => {
      let headers: Record<string, string> = {};
      await attemptDelivery(delivery!, deps({ now: () => now, getSubscription: async () => rotated, post: async (_url, _address, sent) => ((headers = sent), { status: 204 }) }));
      const byHand = (secret: string) =>
        `v1,${createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
          .update(`${delivery!.messageId}.${headers['webhook-timestamp']}.${delivery!.payload}`)
          .digest('base64')}`;
      return { given: headers['webhook-signature']!.split(' '), current: byHand(sub.sealedSecret), previous: byHand(previous) };
    };
    const during = await signaturesAt(new Date('2024-01-16T10:00:04Z'));
    expect(during.given).toEqual([during.current, during.previous]);
    const after = await signaturesAt(new Date('2024-01-16T10:00:05Z'));
    expect(after.given).toEqual([after.current]);
  });

  it('does not send, and disables the webhook, once its creator no longer manages the workspace', async () => {
    const disabled: string[] = [];
    let posted = false;
    const result = await attemptDelivery(
      delivery!,
      deps({
        getSubscription: async () => ({ ...sub, createdBy: 102 }),
        stillManages: async (_ws, user) => user !== 102,
        disable: async (_ws, _id, reason) => disabled.push(reason),
        post: async () => ((posted = true), { status: 204 }),
      }),
    );
    expect([bare(result), disabled, posted]).toEqual([
      { outcome: 'dropped', reason: 'its creator no longer manages the workspace: webhook disabled', disabled: 'creator_lost_access' },
      ['creator_lost_access'],
      false,
    ]);
  });

  it('retries non-2xx answers and network failures; drops deleted or unsubscribed webhooks and reserved destinations', async () => {
    expect(bare(await attemptDelivery(delivery!, deps({ post: async () => ({ status: 500 }) })))).toEqual({ outcome: 'retry', reason: 'answered 500' });
    expect(bare(await attemptDelivery(delivery!, deps({ post: async () => Promise.reject(new Error('no answer within 5000 ms')) })))).toMatchObject({ outcome: 'retry' });
    expect(bare(await attemptDelivery(delivery!, deps({ getSubscription: async () => undefined })))).toEqual({ outcome: 'dropped', reason: 'webhook deleted' });
    expect(bare(await attemptDelivery(delivery!, deps({ getSubscription: async () => ({ ...sub, events: ['tracker.stopped'] }) })))).toMatchObject({ outcome: 'dropped' });
    expect(bare(await attemptDelivery(delivery!, deps({ resolve: async () => ['10.0.0.8'], post: async () => ({ status: 204 }) })))).toMatchObject({
      outcome: 'dropped',
      reason: 'host resolves to a reserved address',
    });
  });

  it('disables the webhook on 410 Gone, sends nothing to a disabled one, and honours Retry-After on 429 and 503 only', async () => {
    const disabled: Array<[number, string]> = [];
    const gone = await attemptDelivery(delivery!, deps({ post: async () => ({ status: 410 }), disable: async (workspaceId, id) => disabled.push([workspaceId, id]) }));
    expect(bare(gone)).toEqual({ outcome: 'dropped', reason: 'answered 410: webhook disabled', disabled: 'gone' });
    expect(disabled).toEqual([[1, 'wh_1']]);
    let posted = false;
    const off = await attemptDelivery(delivery!, deps({ getSubscription: async () => ({ ...sub, status: 'disabled', disabledReason: 'gone' }), post: async () => ((posted = true), { status: 204 }) }));
    expect([bare(off), posted]).toEqual([{ outcome: 'dropped', reason: 'webhook disabled' }, false]);
    // Nor does the fan-out queue anything for it: it keeps the event in the webhook's log, held, for a replay once enabled.
    const held = fanOut(event, [{ ...sub, status: 'disabled', disabledReason: 'gone' }]);
    expect(held.map((one) => [one.subscriptionId, one.held])).toEqual([['wh_1', true]]);
    const recorded: string[] = [];
    const queued: unknown[] = [];
    await queueDeliveries(held, {
      log: { recordMessages: async (messages: Array<{ messageId: string }>) => void recorded.push(...messages.map((message) => message.messageId)) } as never,
      queue: { send: async (messages) => void queued.push(...messages) },
      now: new Date(),
    });
    expect([recorded, queued]).toEqual([[held[0]!.messageId], []]);
    expect(bare(await attemptDelivery(delivery!, deps({ post: async () => ({ status: 429, retryAfter: '120' }) })))).toEqual({ outcome: 'retry', reason: 'answered 429', retryAfterSeconds: 120 });
    // An HTTP date, 10 minutes after the attempt's clock.
    expect(bare(await attemptDelivery(delivery!, deps({ post: async () => ({ status: 503, retryAfter: 'Mon, 15 Jan 2024 10:10:05 GMT' }) })))).toEqual({
      outcome: 'retry',
      reason: 'answered 503',
      retryAfterSeconds: 600,
    });
    expect(bare(await attemptDelivery(delivery!, deps({ post: async () => ({ status: 500, retryAfter: '120' }) })))).toEqual({ outcome: 'retry', reason: 'answered 500' });
    // The next attempt waits the longer of the schedule and the receiver's wish, at most the queue's 12 h.
    expect([
      retryDelaySeconds(1, {}),
      retryDelaySeconds(1, { retryAfterSeconds: 120 }),
      retryDelaySeconds(2, { retryAfterSeconds: 120 }),
      retryDelaySeconds(1, { retryAfterSeconds: 10 ** 6 }),
      retryDelaySeconds(8, { retryAfterSeconds: 1 }),
    ]).toEqual([5, 120, 300, 43_200, undefined]);
  });
});
