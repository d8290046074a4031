import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { callApi } from '../support/api-client.ts';
import { testSeed, users } from '../support/fixtures.ts';
import { startTestRuntime } from '../support/test-runtime.ts';

/**
 * The workspace reports over HTTP on `npm start` (the summary on the template mode is in
 * time-entries.test.ts, which runs on both):
 * rates with history, rounding, the four reports, every parameter rule, the DST day, CSV,
 * and that a report read after a write reflects it. Entries are made over the API; what is
 * checked is what a client reads (every answer against the OpenAPI document) and what is
 * stored. The workspace is its own (RWS), so that nothing else adds time to it.
 */
const RWS = 3;
const ada = 400; // EUR 45.00 an hour, 50.00 from 2026-03-10 (Berlin)
const ben = 401; // JPY 3000, billable
const cyd = 402; // no rate, not billable
const seed = {
  ...testSeed,
  workspaces: [...(testSeed.workspaces ?? []), { id: RWS, name: 'Reports' }],
  members: [
    ...(testSeed.members ?? []),
    { workspace_id: RWS, user_id: users.owner, role: 'owner' as const, status: 'active' as const },
    { workspace_id: RWS, user_id: users.member, role: 'regular_user' as const, status: 'active' as const },
    ...[ada, ben, cyd].map((user_id) => ({ workspace_id: RWS, user_id, role: 'regular_user' as const, status: 'active' as const })),
  ],
  projects: [...(testSeed.projects ?? []), { workspace_id: RWS, id: 50, name: 'Site' }, { workspace_id: RWS, id: 51, name: 'App' }],
  contracts: [
    ...(testSeed.contracts ?? []),
    { workspace_id: RWS, id: 60, user_id: ada, project_id: 50, status: 'active' as const, hourly_rate: { amount: 4500, currency: 'EUR' }, rate_effective_from: '2026-01-01' },
    { workspace_id: RWS, id: 61, user_id: ben, project_id: 51, status: 'active' as const, hourly_rate: { amount: 3000, currency: 'JPY' } },
    { workspace_id: RWS, id: 62, user_id: cyd, project_id: 50, status: 'active' as const },
  ],
  tasks: [...(testSeed.tasks ?? []), { workspace_id: RWS, id: 70, project_id: 50, title: 'Copy' }],
};

let runtime: Awaited<ReturnType<typeof startTestRuntime>>;

async function call(method: string, path: string, options: { body?: unknown; caller?: number; accept?: string; scope?: string } = {}) {
  const token = await runtime.issuer.sign({ sub: String(options.caller ?? users.owner), ...(options.scope ? { scope: options.scope } : {}) });
  return callApi(runtime.server.baseUrl, method, path, {
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.accept ? { accept: options.accept } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

const report = (name: string, query: string, options: { caller?: number; accept?: string } = {}) => call('GET', `/reports/${name}?workspace_id=${RWS}&${query}`, options);
const entry = async (user_id: number, start: string, end: string, extra: Record<string, unknown> = {}) => {
  const created = await call('POST', '/time-entries', { body: { workspace_id: RWS, user_id, start_time: start, end_time: end, ...extra } });
  expect(created.status).toBe(201);
  return created.body.data as { id: string };
};
const eur = (amount: number) => ({ currency: 'EUR', amount });
const jpy = (amount: number) => ({ currency: 'JPY', amount });
const fieldsOf = (answer: { status: number; body: any }) => (answer.status === 422 ? Object.keys(answer.body.errors ?? {}) : [`status ${answer.status}`]);

describe('reports on the local runtime (source)', () => {
  beforeAll(async () => {
    runtime = await startTestRuntime({ name: 'reports-source', seed });
    const berlin = await call('PATCH', `/workspaces/${RWS}/settings`, { body: { time_zone: 'Europe/Berlin' } });
    expect(berlin.status).toBe(200);
    // Ada's new rate from 2026-03-10: her entries of the 9th keep 45.00, the 10th's are 50.00.
    const put = await call('PUT', `/workspaces/${RWS}/contracts/60`, {
      body: { user_id: ada, project_id: 50, status: 'active', hourly_rate: eur(5000), rate_effective_from: '2026-03-10' },
    });
    expect(put.status).toBe(200);
    // Berlin: 9 March 09:00–10:30 (1.5 h × 45.00), 10 March 09:00–09:20 (20 min × 50.00 = 16.67 rounded half up).
    await entry(ada, '2026-03-09T09:00:00+01:00', '2026-03-09T10:30:00+01:00', { contract_id: 60, task_id: 70, activity_description: '=cmd|"/c calc"!A1' });
    await entry(ada, '2026-03-10T09:00:00+01:00', '2026-03-10T09:20:00+01:00', { contract_id: 60 });
    // Ben: 1 h on 9 March at ¥3000; Cyd: 2 h without a rate, one without a contract.
    await entry(ben, '2026-03-09T13:00:00+01:00', '2026-03-09T14:00:00+01:00', { contract_id: 61 });
    await entry(cyd, '2026-03-09T08:00:00+01:00', '2026-03-09T10:00:00+01:00', { contract_id: 62 });
    await entry(cyd, '2026-03-11T08:00:00+01:00', '2026-03-11T08:07:00+01:00');
  }, 300_000);
  afterAll(async () => {
    await runtime?.stop();
  });

  it('keeps a contract’s rate history: a dated change, the same day replaced, the past never rewritten, currencies checked', async () => {
    const contract = (await call('GET', `/workspaces/${RWS}/contracts?per_page=50`)).body.data.find((one: { contract_id: number }) => one.contract_id === 60);
    expect(contract).toMatchObject({
      billable: true,
      rate_history: [
        { from: '2026-01-01', hourly_rate: eur(4500) },
        { from: '2026-03-10', hourly_rate: eur(5000) },
      ],
    });
    expect(contract.hourly_rate).toEqual(eur(5000));
    const put = (body: Record<string, unknown>) => call('PUT', `/workspaces/${RWS}/contracts/60`, { body: { user_id: ada, project_id: 50, status: 'active', ...body } });
    expect(fieldsOf(await put({ hourly_rate: eur(6000), rate_effective_from: '2026-03-01' }))).toEqual(['rate_effective_from']);
    expect(fieldsOf(await put({ hourly_rate: { amount: 1, currency: 'ABC' } }))).toEqual(['hourly_rate']);
    expect(fieldsOf(await put({ hourly_rate: { amount: -1, currency: 'EUR' } }))).toEqual(['hourly_rate']);
    expect(fieldsOf(await put({ hourly_rate: { amount: 1.5, currency: 'EUR' } }))).toEqual(['hourly_rate']);
    // The same rate again, any day: nothing changes (a sync job's replay).
    const same = await put({ hourly_rate: eur(5000), rate_effective_from: '2026-06-01' });
    expect(same.status).toBe(200);
    expect(same.body.data.rate_history).toHaveLength(2);
    expect(same.headers.get('etag')).toBe('"1"');
    // A sync job's versions order its writes: a replay of an older one is stale (409), even with an older rate dated before the latest.
    const sync = (body: Record<string, unknown>) =>
      call('PUT', `/workspaces/${RWS}/contracts/63`, { body: { user_id: cyd, project_id: 51, status: 'active', ...body }, scope: 'directory', caller: 9000 });
    expect((await sync({ hourly_rate: eur(1000), rate_effective_from: '2026-01-01', version: 1 })).status).toBe(200);
    expect((await sync({ hourly_rate: eur(2000), rate_effective_from: '2026-02-01', version: 2 })).status).toBe(200);
    const replayed = await sync({ hourly_rate: eur(1000), rate_effective_from: '2026-01-01', version: 1 });
    expect([replayed.status, replayed.body.error]).toEqual([409, 'stale_version']);
  });

  it('summarizes the workspace by user and project: per-entry amounts at the rate of each start day, totals that are the sums of their groups', async () => {
    const answer = await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user,project');
    expect(answer.status).toBe(200);
    const data = answer.body.data;
    expect(data).toMatchObject({ from: '2026-03-01', to: '2026-03-31', time_zone: 'Europe/Berlin', rounding: null });
    expect(data.groups.map((group: { key: unknown }) => group.key)).toEqual([{ user_id: ada }, { user_id: ben }, { user_id: cyd }]);
    const [adaGroup, benGroup, cydGroup] = data.groups;
    // 5400 s × 45.00 = 67.50; 1200 s × 50.00 = 16.666… → 16.67.
    expect(adaGroup).toMatchObject({ seconds: 6600, billable_seconds: 6600, entries: 2, amounts: [eur(6750 + 1667)] });
    expect(benGroup).toMatchObject({ seconds: 3600, billable_seconds: 3600, entries: 1, amounts: [jpy(3000)] });
    expect(cydGroup).toMatchObject({ seconds: 7620, billable_seconds: 0, entries: 2, amounts: [] });
    expect(cydGroup.groups.map((group: { key: unknown }) => group.key)).toEqual([{ project_id: null }, { project_id: 50 }]);
    expect(data.totals).toEqual({ seconds: 17_820, billable_seconds: 10_200, entries: 5, amounts: [eur(8417), jpy(3000)] });
    expect(answer.body.meta.pagination).toEqual({ total: 3, per_page: 50, current_page: 1, last_page: 1 });
    // The first level pages; the totals always cover everything.
    const second = await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user&per_page=2&page=2');
    expect(second.body.data.groups.map((group: { key: unknown }) => group.key)).toEqual([{ user_id: cyd }]);
    expect(second.body.data.totals).toEqual(data.totals);
  });

  it('filters by members, projects (none: without one), contracts, tasks and billable', async () => {
    const totalsOf = async (filter: string) => (await report('summary', `from=2026-03-01&to=2026-03-31&group_by=user&${filter}`)).body.data.totals;
    expect((await totalsOf(`user_ids=${ben},${cyd}`)).entries).toBe(3);
    expect(await totalsOf('project_ids=none')).toMatchObject({ entries: 1, seconds: 420 });
    expect((await totalsOf('contract_ids=60')).entries).toBe(2);
    expect((await totalsOf('task_ids=70')).entries).toBe(1);
    expect(await totalsOf('billable=false')).toMatchObject({ entries: 2, billable_seconds: 0, amounts: [] });
    expect(fieldsOf(await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user&user_ids=none'))).toEqual(['user_ids']);
  });

  it('rounds each entry (the workspace’s setting or the report’s override) and prices the rounded duration', async () => {
    const rounding = await call('PATCH', `/workspaces/${RWS}/settings`, { body: { rounding: { minutes: 15, mode: 'up' } } });
    expect(rounding.body.data).toMatchObject({ rounding: { minutes: 15, mode: 'up' }, week_start: 'monday' });
    try {
      const up = (await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user')).body.data;
      expect(up.rounding).toEqual({ minutes: 15, mode: 'up' });
      // Ada: 90 min stays, 20 → 30 min × 50.00 = 25.00; Cyd: 120 stays, 7 → 15 min.
      expect(up.groups.map((group: { seconds: number }) => group.seconds)).toEqual([7200, 3600, 8100]);
      expect(up.groups[0].amounts).toEqual([eur(6750 + 2500)]);
      const nearest = (await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user&rounding_minutes=15&rounding_mode=nearest')).body.data;
      expect(nearest.groups.map((group: { seconds: number }) => group.seconds)).toEqual([6300, 3600, 7200]);
      const down = (await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user&rounding_minutes=10&rounding_mode=down')).body.data;
      expect(down.groups.map((group: { seconds: number }) => group.seconds)).toEqual([6600, 3600, 7200]);
      expect(fieldsOf(await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user&rounding_minutes=15'))).toEqual(['rounding_mode']);
      expect(fieldsOf(await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user&rounding_minutes=7&rounding_mode=up'))).toEqual(['rounding_minutes']);
    } finally {
      await call('PATCH', `/workspaces/${RWS}/settings`, { body: { rounding: null } });
    }
  });

  it('refuses a missing, reversed or longer-than-366-days range on its field, never with an empty answer; only managers read', async () => {
    expect(fieldsOf(await report('summary', 'to=2026-03-31&group_by=user'))).toEqual(['from']);
    expect(fieldsOf(await report('summary', 'from=2026-03-31&to=2026-03-01&group_by=user'))).toEqual(['to']);
    expect(fieldsOf(await report('detailed', 'from=2025-01-01&to=2026-01-02'))).toEqual(['to']);
    expect((await report('detailed', 'from=2025-01-02&to=2026-01-02')).status).toBe(200);
    expect(fieldsOf(await report('tracked-hours', 'start_date=2026-03-31&end_date=2026-03-01'))).toEqual(['end_date']);
    expect(fieldsOf(await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user,hour'))).toEqual(['group_by']);
    expect(fieldsOf(await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user&tz=Mars/Olympus'))).toEqual(['tz']);
    for (const caller of [users.member, users.stranger]) expect((await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user', { caller })).status).toBe(403);
  });

  it('counts an entry on the day it starts in the zone asked, across a DST change', async () => {
    // 29 March 2026, Berlin goes to summer time at 02:00: an entry from 00:30 to 03:30 local lasts 2 h.
    const dst = await entry(ben, '2026-03-29T00:30:00+01:00', '2026-03-29T03:30:00+02:00', { contract_id: 61 });
    try {
      const berlin = (await report('summary', 'from=2026-03-29&to=2026-03-29&group_by=day&user_ids=401')).body.data;
      expect(berlin.groups).toEqual([{ key: { date: '2026-03-29' }, seconds: 7200, billable_seconds: 7200, entries: 1, amounts: [jpy(6000)] }]);
      // In UTC it starts on the 28th (23:30).
      const utc = (await report('summary', 'from=2026-03-28&to=2026-03-29&group_by=day&user_ids=401&tz=UTC')).body.data;
      expect(utc.groups.map((group: { key: unknown }) => group.key)).toEqual([{ date: '2026-03-28' }]);
    } finally {
      expect((await call('DELETE', `/time-entries/${dst.id}?workspace_id=${RWS}`)).status).toBe(200);
    }
  });

  it('lists every entry in detail, page by cursor, with the range’s totals on every page; a foreign cursor is refused', async () => {
    const first = await report('detailed', 'from=2026-03-01&to=2026-03-31&per_page=2');
    expect(first.status).toBe(200);
    expect(first.body.data.entries).toHaveLength(2);
    expect(first.body.data.entries[0]).toMatchObject({ user_id: cyd, rounded_seconds: 7200, billable: false, hourly_rate: null, amount: null });
    expect(first.body.data.entries[1]).toMatchObject({ user_id: ada, contract_id: 60, task_id: 70, hourly_rate: eur(4500), amount: eur(6750), billable: true });
    const all = [...first.body.data.entries];
    let cursor = first.body.meta.pagination.next_cursor;
    while (cursor) {
      const page = await report('detailed', `from=2026-03-01&to=2026-03-31&per_page=2&cursor=${cursor}`);
      expect(page.body.data.totals).toEqual(first.body.data.totals);
      all.push(...page.body.data.entries);
      cursor = page.body.meta.pagination.next_cursor;
    }
    expect(all.map((one) => one.start_time)).toEqual([...all.map((one) => one.start_time)].sort());
    expect(all).toHaveLength(5);
    expect(all.reduce((sum, one) => sum + one.rounded_seconds, 0)).toBe(first.body.data.totals.seconds);
    expect(fieldsOf(await report('detailed', `from=2026-03-01&to=2026-03-30&per_page=2&cursor=${first.body.meta.pagination.next_cursor}`))).toEqual(['cursor']);
  });

  it('reports a week by member or project, and WebWork’s tracked hours by day, member and project', async () => {
    const week = (await report('weekly', 'week=2026-03-09')).body.data;
    expect(week.days).toEqual(['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15']);
    expect(week.rows).toEqual([
      { key: { user_id: ada }, seconds: [5400, 1200, 0, 0, 0, 0, 0], total_seconds: 6600, amounts: [eur(8417)] },
      { key: { user_id: ben }, seconds: [3600, 0, 0, 0, 0, 0, 0], total_seconds: 3600, amounts: [jpy(3000)] },
      { key: { user_id: cyd }, seconds: [7200, 0, 420, 0, 0, 0, 0], total_seconds: 7620, amounts: [] },
    ]);
    expect(week.totals).toEqual({ seconds: [16_200, 1200, 420, 0, 0, 0, 0], total_seconds: 17_820, amounts: [eur(8417), jpy(3000)] });
    const byProject = (await report('weekly', 'week=2026-03-09&group_by=project')).body.data;
    expect(byProject.rows.map((row: { key: unknown }) => row.key)).toEqual([{ project_id: null }, { project_id: 50 }, { project_id: 51 }]);
    expect(fieldsOf(await report('weekly', 'week=2026-03-10'))).toEqual(['week']);

    const hours = await report('tracked-hours', 'start_date=2026-03-01&end_date=2026-03-31');
    expect(hours.body.data.map((day: { date: string }) => day.date)).toEqual(['2026-03-09', '2026-03-10', '2026-03-11']);
    expect(hours.body.data[0].users[0]).toEqual({
      user_id: ada,
      total_minutes: 90,
      total_seconds: 5400,
      amounts: [eur(6750)],
      projects: [{ project_id: 50, contract_id: 60, total_seconds: 5400, amounts: [eur(6750)] }],
    });
  });

  it('answers CSV with Accept: text/csv: RFC 4180, hours and major units, formulas neutralised, as an attachment', async () => {
    const summary = await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user', { accept: 'text/csv' });
    expect(summary.status).toBe(200);
    expect(summary.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(summary.headers.get('content-disposition')).toBe(`attachment; filename="summary-${RWS}-2026-03-01-2026-03-31.csv"`);
    expect(summary.text.split('\r\n')[0]).toBe('user_id,seconds,hours,billable_seconds,billable_hours,entries,amount,currency');
    expect(parse(summary.text, { columns: true })).toEqual([
      { user_id: String(ada), seconds: '6600', hours: '1.83', billable_seconds: '6600', billable_hours: '1.83', entries: '2', amount: '84.17', currency: 'EUR' },
      { user_id: String(ben), seconds: '3600', hours: '1.00', billable_seconds: '3600', billable_hours: '1.00', entries: '1', amount: '3000', currency: 'JPY' },
      { user_id: String(cyd), seconds: '7620', hours: '2.12', billable_seconds: '0', billable_hours: '0.00', entries: '2', amount: '', currency: '' },
    ]);
    const detailed = await report('detailed', 'from=2026-03-01&to=2026-03-31', { accept: 'text/csv' });
    const rows = parse(detailed.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(5);
    expect(rows.find((row) => row.task_id === '70')!.activity_description).toBe(`'=cmd|"/c calc"!A1`);
    for (const name of ['weekly?week=2026-03-09', 'tracked-hours?start_date=2026-03-01&end_date=2026-03-31']) {
      const csv = await call('GET', `/reports/${name}&workspace_id=${RWS}`, { accept: 'text/csv' });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="(weekly|tracked-hours)-3-2026-03-(09|01)-2026-03-(15|31)\.csv"$/);
    }
  });

  it('reflects a write in the next report (read after a 2xx), and keeps each member’s month item with the entries', async () => {
    const added = await entry(ben, '2026-03-12T09:00:00+01:00', '2026-03-12T09:30:00+01:00', { contract_id: 61 });
    const totals = async () => (await report('summary', 'from=2026-03-01&to=2026-03-31&group_by=user')).body.data.totals;
    expect(await totals()).toMatchObject({ entries: 6, seconds: 19_620 });
    // Moved to April: out of March's report, into April's month item.
    const moved = await call('PATCH', `/time-entries/${added.id}?workspace_id=${RWS}`, { body: { start_time: '2026-04-02T09:00:00+02:00', end_time: '2026-04-02T09:30:00+02:00' } });
    expect(moved.status).toBe(200);
    expect(await totals()).toMatchObject({ entries: 5, seconds: 17_820 });
    const items = await runtime.table.scan();
    const months = items.filter((item) => item.entity === 'report_month' && item.user_id === ben);
    const holding = months.filter((item) => `e_${added.id}` in item).map((item) => item.pk);
    expect(holding).toEqual([`WS#${RWS}#REPORT#2026-04`]);
    expect((await call('DELETE', `/time-entries/${added.id}?workspace_id=${RWS}`)).status).toBe(200);
    expect((await runtime.table.scan()).some((item) => item.entity === 'report_month' && `e_${added.id}` in item)).toBe(false);
  });
});
