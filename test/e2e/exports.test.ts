import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { exportKeys } from '../../shared/db/export-repository.ts';
import { callApi } from '../support/api-client.ts';
import { testSeed, users } from '../support/fixtures.ts';
import { startTestRuntime } from '../support/test-runtime.ts';
import { waitFor } from '../support/wait-for.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * Exports over HTTP on `npm start` (docs/exports.md), the worker running off its local queue
 * and writing to the local S3 server: creating, polling and downloading every report in both
 * formats (each file's rows equal the report's own CSV answer), the parameters refused before
 * anything is queued, who may reach an export, expiry, a worker whose reads fail, and the
 * webhooks. Redelivery and concurrent runs of one job are in test/integration/export-worker.test.ts;
 * the template mode's run of one export is at the end.
 */
const XWS = 8;
const ada = 801; // EUR 45.00 an hour
const ben = 802; // JPY 3000
const seed = {
  ...testSeed,
  workspaces: [...(testSeed.workspaces ?? []), { id: XWS, name: 'Exports' }],
  members: [
    ...(testSeed.members ?? []),
    { workspace_id: XWS, user_id: users.owner, role: 'owner' as const, status: 'active' as const },
    { workspace_id: XWS, user_id: users.executive, role: 'executive_manager' as const, status: 'active' as const },
    { workspace_id: XWS, user_id: users.member, role: 'regular_user' as const, status: 'active' as const },
    ...[ada, ben].map((user_id) => ({ workspace_id: XWS, user_id, role: 'regular_user' as const, status: 'active' as const })),
  ],
  projects: [...(testSeed.projects ?? []), { workspace_id: XWS, id: 85, name: 'Site' }],
  contracts: [
    ...(testSeed.contracts ?? []),
    { workspace_id: XWS, id: 86, user_id: ada, project_id: 85, status: 'active' as const, hourly_rate: { amount: 4500, currency: 'EUR' }, rate_effective_from: '2026-01-01' },
    { workspace_id: XWS, id: 87, user_id: ben, project_id: 85, status: 'active' as const, hourly_rate: { amount: 3000, currency: 'JPY' }, rate_effective_from: '2026-01-01' },
  ],
};

type Runtime = Awaited<ReturnType<typeof startTestRuntime>>;

function client(runtime: () => Runtime) {
  const call = async (method: string, path: string, options: { body?: unknown; caller?: number; accept?: string } = {}) => {
    const token = await runtime().issuer.sign({ sub: String(options.caller ?? users.owner), scope: 'read write' });
    return callApi(runtime().server.baseUrl, method, path, {
      headers: {
        authorization: `Bearer ${token}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.accept ? { accept: options.accept } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  };
  const create = (body: Record<string, unknown>, caller?: number) => call('POST', '/exports', { body: { workspace_id: XWS, ...body }, ...(caller ? { caller } : {}) });
  /** Polls the export until it has ended; a job never stays queued or running here for long. */
  const ended = async (id: string) => {
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let attempt = 0; attempt < 300; attempt++) {
      last = await call('GET', `/exports/${id}?workspace_id=${XWS}`);
      if (['completed', 'failed'].includes(last.body?.data?.status)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`export ${id} did not end: ${JSON.stringify(last?.body)}`);
  };
  return { call, create, ended };
}

/** An XLSX cell as the CSV writes it: what a reader of the workbook sees, compared with the CSV answer. */
function asCsvText(value: ExcelJS.CellValue, column: string, currencyDecimals: number): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return column === 'date' || column === 'week' ? value.toISOString().slice(0, 10) : `${value.toISOString().slice(0, 19)}+00:00`;
  if (typeof value === 'number' && column.endsWith('hours')) return value.toFixed(2);
  if (typeof value === 'number' && (column === 'amount' || column === 'hourly_rate')) return value.toFixed(currencyDecimals);
  return String(value);
}

/** The rows of a workbook's Rows sheet, as the CSV's text (header included). */
async function workbookRows(bytes: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Rows', 'Parameters']);
  const sheet = workbook.getWorksheet('Rows')!;
  const header = (sheet.getRow(1).values as string[]).slice(1);
  const rows: string[][] = [header];
  sheet.eachRow((row, number) => {
    if (number === 1) return;
    const currency = header.includes('currency') ? String(row.getCell(header.indexOf('currency') + 1).value ?? '') : '';
    rows.push(header.map((column, index) => asCsvText(row.getCell(index + 1).value, column, currency === 'JPY' ? 0 : 2)));
  });
  return rows;
}

/** The CSV answer's rows, with the quote that neutralises a formula taken off (a workbook holds the text itself). */
const csvRows = (text: string) => (parse(text) as string[][]).map((row) => row.map((cell) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell)));

const REPORTS = [
  { report: 'detailed', parameters: { from: '2026-03-01', to: '2026-03-31' }, route: 'detailed?from=2026-03-01&to=2026-03-31' },
  { report: 'summary', parameters: { from: '2026-03-01', to: '2026-03-31', group_by: 'user,project' }, route: 'summary?from=2026-03-01&to=2026-03-31&group_by=user,project' },
  { report: 'weekly', parameters: { from: '2026-03-02', to: '2026-03-08', group_by: 'project' }, route: 'weekly?week=2026-03-02&group_by=project' },
  { report: 'tracked-hours', parameters: { from: '2026-03-01', to: '2026-03-31', tz: 'Asia/Tokyo' }, route: 'tracked-hours?start_date=2026-03-01&end_date=2026-03-31&tz=Asia/Tokyo' },
] as const;

describe('exports on the local runtime (source)', () => {
  let runtime: Runtime;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const { call, create, ended } = client(() => runtime);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    runtime = await startTestRuntime({ name: 'exports', seed, faultProxy: true, env: { WEBHOOK_RETRY_SCALE: '0.01' } });
    const subscribed = await call('POST', '/webhooks', { body: { workspace_id: XWS, url: receiver.url, events: ['export.completed', 'export.failed'] } });
    expect(subscribed.status).toBe(201);
    // A month of two members: rates in two currencies, a description a spreadsheet would run as a formula.
    for (const [user, contract] of [
      [ada, 86],
      [ben, 87],
    ] as const) {
      for (let day = 2; day <= 20; day += 3) {
        const date = `2026-03-${String(day).padStart(2, '0')}`;
        const made = await call('POST', '/time-entries', {
          body: {
            workspace_id: XWS,
            user_id: user,
            contract_id: contract,
            start_time: `${date}T08:15:00+00:00`,
            end_time: `${date}T11:52:00+00:00`,
            activity_description: day === 2 ? '=HYPERLINK("x")' : `Day ${day}`,
          },
        });
        expect(made.status).toBe(201);
      }
    }
  }, 180_000);
  afterAll(async () => {
    await runtime?.stop();
    await receiver?.close();
  });

  it.each(REPORTS)(
    'exports the $report report as CSV and XLSX: 202 queued, then completed; each file holds the rows of its CSV answer',
    async ({ report, parameters, route }) => {
      const answer = await call('GET', `/reports/${route}&workspace_id=${XWS}`, { accept: 'text/csv' });
      expect(answer.status).toBe(200);
      for (const format of ['csv', 'xlsx'] as const) {
        const created = await create({ report, format, ...parameters });
        expect(created.status).toBe(202);
        expect(created.body.data).toMatchObject({ status: 'queued', report, format, parameters, created_by: users.owner, download_url: null, row_count: null, error: null });
        expect(created.headers.get('location')).toBe(`/exports/${created.body.data.id}?workspace_id=${XWS}`);
        const done = await ended(created.body.data.id);
        expect(done.status).toBe(200);
        const data = done.body.data;
        expect(data).toMatchObject({ status: 'completed', error: null, row_count: csvRows(answer.text).length - 1 });
        expect(Date.parse(data.expires_at) - Date.parse(data.completed_at)).toBe(7 * 86_400_000);
        // A bearer link to its workspace's file, valid 15 minutes.
        const link = new URL(data.download_url);
        expect(link.pathname).toMatch(new RegExp(`/workspaces/${XWS}/exports/${data.id}\\.${format}$`));
        expect(link.searchParams.get('X-Amz-Expires')).toBe('900');
        const file = await fetch(link);
        expect(file.status).toBe(200);
        expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${report}-${XWS}-${parameters.from}-${parameters.to}.${format}"`);
        const bytes = Buffer.from(await file.arrayBuffer());
        expect(bytes.length).toBe(data.bytes);
        if (format === 'csv') expect(bytes.toString('utf8')).toBe(answer.text);
        else expect(await workbookRows(bytes)).toEqual(csvRows(answer.text));
      }
    },
    60_000,
  );

  it('exports the timesheets of a range as CSV and XLSX: one row per member, period and currency, as GET /timesheets lists them', async () => {
    const listed = (await call('GET', `/timesheets?workspace_id=${XWS}&from=2026-03-02&to=2026-03-15&per_page=50`)).body.data as Array<{
      id: string;
      status: string;
      total_seconds: number;
      billable_seconds: number;
      amounts: Array<{ amount: number; currency: string }>;
    }>;
    expect(listed.length).toBeGreaterThan(4);
    const expected = listed.flatMap((sheet) =>
      (sheet.amounts.length === 0
        ? [{ amount: '', currency: '' }]
        : sheet.amounts.map((money) => ({ amount: (money.currency === 'JPY' ? money.amount : money.amount / 100).toFixed(money.currency === 'JPY' ? 0 : 2), currency: money.currency }))
      ).map((money) => [sheet.id, sheet.status, String(sheet.total_seconds), String(sheet.billable_seconds), money.amount, money.currency]),
    );
    for (const format of ['csv', 'xlsx'] as const) {
      const created = await create({ report: 'timesheets', format, from: '2026-03-02', to: '2026-03-15' });
      expect(created.status).toBe(202);
      const done = (await ended(created.body.data.id)).body.data;
      expect(done).toMatchObject({ status: 'completed', row_count: expected.length });
      const bytes = Buffer.from(await (await fetch(done.download_url)).arrayBuffer());
      const rows = format === 'csv' ? csvRows(bytes.toString('utf8')) : await workbookRows(bytes);
      const [header, ...data] = rows;
      const at = (name: string) => header!.indexOf(name);
      expect(data.map((row) => [row[at('id')], row[at('status')], row[at('seconds')], row[at('billable_seconds')], row[at('amount')], row[at('currency')]])).toEqual(expected);
    }
    // A range and nothing else: the reports' filters mean nothing to a timesheet.
    const filtered = await create({ report: 'timesheets', format: 'csv', from: '2026-03-02', to: '2026-03-15', project_ids: '85' });
    expect([filtered.status, Object.keys(filtered.body.errors ?? {})]).toEqual([422, ['project_ids']]);
  }, 60_000);

  it('lists the workspace’s exports of the last 7 days, newest first, by cursor; an older one is left out', async () => {
    // An export made 8 days ago, as stored (its id starts with its creation time).
    const old = Date.now() - 8 * 86_400_000;
    const oldId = `${old.toString(16).padStart(12, '0')}${'0'.repeat(24)}`;
    const recent = (await call('GET', `/exports?workspace_id=${XWS}&per_page=50`)).body.data as Array<{ id: string }>;
    const stored = (await runtime.table.scan()).find((item) => item.sk === exportKeys.exportJob(XWS, recent[0]!.id).sk)!;
    await runtime.table.put([{ ...stored, ...exportKeys.exportJob(XWS, oldId), export_id: oldId, created_at: new Date(old).toISOString().replace(/\.\d{3}Z$/, '+00:00') }]);
    const first = await call('GET', `/exports?workspace_id=${XWS}&per_page=3`);
    expect(first.status).toBe(200);
    const ids = first.body.data.map((job: { id: string }) => job.id);
    expect(ids).toEqual([...ids].sort().reverse());
    const all: string[] = [...ids];
    let cursor = first.body.meta.pagination.next_cursor;
    while (cursor) {
      const page = await call('GET', `/exports?workspace_id=${XWS}&per_page=3&cursor=${encodeURIComponent(cursor)}`);
      all.push(...page.body.data.map((job: { id: string }) => job.id));
      cursor = page.body.meta.pagination.next_cursor;
    }
    expect(all).toEqual(recent.map((job) => job.id));
    expect(all).not.toContain(oldId);
    expect(first.body.data.every((job: { download_url: unknown }) => job.download_url === null)).toBe(true);
    expect((await call('GET', `/exports?workspace_id=${XWS}&cursor=bm90LWEtY3Vyc29y`)).status).toBe(422);
  });

  it('refuses what its report refuses, on the field, before anything is queued', async () => {
    const before = (await call('GET', `/exports?workspace_id=${XWS}&per_page=50`)).body.data.length;
    const fieldsOf = async (body: Record<string, unknown>) => {
      const answer = await create(body);
      expect(answer.status).toBe(422);
      return Object.keys(answer.body.errors);
    };
    expect(await fieldsOf({ report: 'detailed', format: 'csv', from: '2025-01-01', to: '2026-03-31' })).toEqual(['to']);
    expect(await fieldsOf({ report: 'invoice', format: 'csv', from: '2026-03-01', to: '2026-03-31' })).toEqual(['report']);
    expect(await fieldsOf({ report: 'detailed', format: 'pdf', from: '2026-03-01', to: '2026-03-31' })).toEqual(['format']);
    expect(await fieldsOf({ report: 'summary', format: 'csv', from: '2026-03-01', to: '2026-03-31' })).toEqual(['group_by']);
    expect(await fieldsOf({ report: 'summary', format: 'csv', from: '2026-03-01', to: '2026-03-31', group_by: 'user,colour' })).toEqual(['group_by']);
    expect(await fieldsOf({ report: 'weekly', format: 'csv', from: '2026-03-03', to: '2026-03-09' })).toEqual(['from']);
    expect(await fieldsOf({ report: 'weekly', format: 'csv', from: '2026-03-02', to: '2026-03-31' })).toEqual(['to']);
    expect(await fieldsOf({ report: 'detailed', format: 'csv', from: '2026-03-01', to: '2026-03-31', group_by: 'user' })).toEqual(['group_by']);
    expect(await fieldsOf({ report: 'detailed', format: 'csv', from: '2026-03-01', to: '2026-03-31', tz: 'Mars/Olympus' })).toEqual(['tz']);
    expect(await fieldsOf({ report: 'detailed', format: 'csv', from: '2026-03-01', to: '2026-03-31', user_ids: '1,x' })).toEqual(['user_ids']);
    expect((await call('GET', `/exports?workspace_id=${XWS}&per_page=50`)).body.data.length).toBe(before);
  });

  it('queues one export for one Idempotency-Key, however often the request is sent', async () => {
    const before = (await call('GET', `/exports?workspace_id=${XWS}&per_page=50`)).body.data.length;
    const token = await runtime.issuer.sign({ sub: String(users.owner), scope: 'read write' });
    const send = () =>
      callApi(runtime.server.baseUrl, 'POST', '/exports', {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'export-once-1' },
        body: JSON.stringify({ workspace_id: XWS, report: 'detailed', format: 'csv', from: '2026-03-01', to: '2026-03-07' }),
      });
    const first = await send();
    const again = await send();
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.data.id).toBe(first.body.data.id);
    await ended(first.body.data.id);
    expect((await call('GET', `/exports?workspace_id=${XWS}&per_page=50`)).body.data.length).toBe(before + 1);
  });

  it('is for owners and executive managers of the workspace only; an export of another workspace is not found', async () => {
    const byExecutive = await create({ report: 'detailed', format: 'csv', from: '2026-03-01', to: '2026-03-07' }, users.executive);
    expect(byExecutive.status).toBe(202);
    expect((await create({ report: 'detailed', format: 'csv', from: '2026-03-01', to: '2026-03-07' }, users.member)).status).toBe(403);
    const id = byExecutive.body.data.id;
    expect((await call('GET', `/exports/${id}?workspace_id=${XWS}`, { caller: users.member })).status).toBe(403);
    expect((await call('GET', `/exports?workspace_id=${XWS}`, { caller: users.member })).status).toBe(403);
    // The owner of another workspace asks with their own workspace: nothing is there.
    expect((await call('GET', `/exports/${id}?workspace_id=2`, { caller: users.otherWorkspaceOwner })).status).toBe(404);
    expect((await call('GET', `/exports/${id}?workspace_id=${XWS}`, { caller: users.otherWorkspaceOwner })).status).toBe(403);
    expect((await call('GET', `/exports/${'f'.repeat(36)}?workspace_id=${XWS}`)).status).toBe(404);
    expect((await call('GET', `/exports/not-an-id?workspace_id=${XWS}`)).status).toBe(422);
    await ended(id);
  });

  it('answers 410 export_expired once its file is deleted, 7 days after it was made', async () => {
    const made = await create({ report: 'detailed', format: 'csv', from: '2026-03-01', to: '2026-03-07' });
    const done = (await ended(made.body.data.id)).body.data;
    const key = exportKeys.exportJob(XWS, done.id);
    const item = (await runtime.table.scan()).find((candidate) => candidate.pk === key.pk && candidate.sk === key.sk)!;
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    await runtime.table.put([{ ...item, completed_at: eightDaysAgo }]);
    const expired = await call('GET', `/exports/${done.id}?workspace_id=${XWS}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ success: false, error: 'export_expired' });
  });

  it('ends as failed with a code, never running, when the worker cannot read the data; the next export completes', async () => {
    // The worker's reads of the report (Query: contracts, report months) fail past the SDK's retries; the routes' calls do not Query.
    runtime.proxy!.inject('Query', 'throttle', { times: 1000 });
    try {
      const made = await create({ report: 'summary', format: 'xlsx', from: '2026-03-01', to: '2026-03-31', group_by: 'user' });
      expect(made.status).toBe(202);
      const failed = (await ended(made.body.data.id)).body.data;
      expect(failed).toMatchObject({ status: 'failed', download_url: null, row_count: null, error: { code: 'source_unavailable', message: expect.any(String) } });
      expect(JSON.stringify(failed.error)).not.toMatch(/Throttl|Query|dynamo|table/i);
    } finally {
      runtime.proxy!.heal();
    }
    const next = await create({ report: 'summary', format: 'xlsx', from: '2026-03-01', to: '2026-03-31', group_by: 'user' });
    expect((await ended(next.body.data.id)).body.data.status).toBe('completed');
  }, 60_000);

  it('announces each end to the webhooks: export.completed and export.failed, with the export but no link', async () => {
    const events = await waitFor(() => {
      const parsed = receiver.deliveries.map((delivery) => JSON.parse(delivery.body) as { type: string; data: Record<string, unknown> });
      return parsed.some((event) => event.type === 'export.failed') && parsed.filter((event) => event.type === 'export.completed').length >= 8 ? parsed : undefined;
    }, 30_000);
    const completed = events.find((event) => event.type === 'export.completed')!;
    expect(completed.data).toMatchObject({ status: 'completed', workspace_id: XWS, row_count: expect.any(Number), bytes: expect.any(Number) });
    expect(completed.data).not.toHaveProperty('download_url');
    expect(events.find((event) => event.type === 'export.failed')!.data).toMatchObject({ status: 'failed', error: { code: 'source_unavailable' } });
    // One event per end: no export is announced twice.
    const keys = events.map((event) => `${event.type}:${event.data.id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('exports on the template mode (what deploys: its bundles, its queue, its bucket behind each role)', () => {
  let runtime: Runtime;
  const { call, create, ended } = client(() => runtime);
  beforeAll(async () => {
    runtime = await startTestRuntime({ name: 'exports-template', seed, env: { RUNTIME: 'template' } });
    const made = await call('POST', '/time-entries', { body: { workspace_id: XWS, user_id: ada, contract_id: 86, start_time: '2026-03-02T08:00:00+00:00', end_time: '2026-03-02T09:30:00+00:00' } });
    expect(made.status).toBe(201);
  }, 300_000);
  afterAll(async () => {
    await runtime?.stop();
  });

  it('runs one export end to end: queued, written by the worker, downloaded through the link get-export signed', async () => {
    const created = await create({ report: 'detailed', format: 'xlsx', from: '2026-03-01', to: '2026-03-31' });
    expect(created.status).toBe(202);
    const done = (await ended(created.body.data.id)).body.data;
    expect(done).toMatchObject({ status: 'completed', row_count: 1 });
    const file = await fetch(done.download_url);
    expect(file.status).toBe(200);
    const answer = await call('GET', `/reports/detailed?workspace_id=${XWS}&from=2026-03-01&to=2026-03-31`, { accept: 'text/csv' });
    expect(await workbookRows(Buffer.from(await file.arrayBuffer()))).toEqual(csvRows(answer.text));
    // The link reads that object only: another key through the same front is refused by get-export's role (s3:GetObject on workspaces/* only).
    const listing = new URL(done.download_url);
    listing.pathname = listing.pathname.split('/').slice(0, 2).join('/');
    listing.search = '';
    expect((await fetch(listing)).status).toBe(403);
  }, 120_000);
});
