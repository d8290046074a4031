import { lambdaContext, lambdaEvent } from './lambda-events.ts';
import { median, percentile, round } from './stats.ts';

/**
 * What time entries cost, through the working tree's own warm handlers on DynamoDB Local,
 * paired in one run (interleaved batches; each ratio the median of per-batch ratios of p50s):
 * - a 31-day list of 300 entries against a one-day list of the same member (10 entries);
 * - an entry create against a start (each followed, unmeasured, by what resets it: the
 *   start by a stop; the create needs nothing, each takes a fresh half hour);
 * and the DynamoDB calls each makes (counted on the handlers' own client).
 */
type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number; body?: string }>;

export async function measureEntryCosts(options: {
  workspaceId: number;
  managerId: number;
  listUser: number;
  createUser: number;
  startUser: number;
  batches: number;
  perBatch: number;
  perPage?: number;
}) {
  const load = async (name: string) => (await import(`../functions/${name}/handler.ts`)).handler as Handler;
  const [create, list, start, stop] = (await Promise.all(['create-time-entry', 'list-time-entries', 'start-time-tracking', 'stop-time-tracking'].map(load))) as [Handler, Handler, Handler, Handler];
  const { documentClient } = await import('../shared/db/default-repositories.ts');
  const calls: string[] = [];
  documentClient.middlewareStack.add((next, context) => async (args) => (calls.push(String(context.commandName).replace(/Command$/, '')), next(args)), {
    step: 'initialize',
    name: 'benchCallCounter',
  });
  const counted = async <T>(run: () => Promise<T>) => {
    calls.length = 0;
    const result = await run();
    return { result, calls: [...calls] };
  };

  const ws = options.workspaceId;
  const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
  const dayMs = 86_400_000;
  const firstDay = Math.floor(Date.now() / dayMs) * dayMs - 31 * dayMs;
  const day = (index: number) => new Date(firstDay + index * dayMs).toISOString().slice(0, 10);

  // 300 entries on the first 30 of 31 days, 10 a day, through the create handler itself.
  for (let d = 0; d < 30; d++) {
    for (let k = 0; k < 10; k++) {
      const start = firstDay + d * dayMs + 8 * 3_600_000 + k * 40 * 60_000;
      const answer = await create(post('/time-entries', { workspace_id: ws, user_id: options.listUser, start_time: iso(start), end_time: iso(start + 30 * 60_000) }, options.managerId), context());
      if (answer.statusCode !== 201) throw new Error(`seeding entries: ${answer.statusCode} ${answer.body}`);
    }
  }
  const listQuery = (from: string, to: string) => ({ workspace_id: String(ws), user_id: String(options.listUser), from, to, ...(options.perPage ? { per_page: String(options.perPage) } : {}) });
  const oneDay = () => list(get('/time-entries', listQuery(day(5), day(5)), options.managerId), context());
  const month = () => list(get('/time-entries', listQuery(day(0), day(30)), options.managerId), context());
  const monthCheck = await counted(month);
  const monthBody = JSON.parse(monthCheck.result.body ?? '{}');
  if (monthBody.meta?.pagination?.total !== 300) throw new Error(`the 31-day list found ${monthBody.meta?.pagination?.total} entries, not 300`);

  // Each create takes the half hour before the previous one: never overlapping, never in the future.
  let slot = Date.now() - 3_600_000;
  const createOne = () => {
    const end = (slot -= 31 * 60_000);
    return create(post('/time-entries', { workspace_id: ws, user_id: options.createUser, start_time: iso(end - 30 * 60_000), end_time: iso(end) }, options.managerId), context());
  };
  const startOne = () => start(post('/time-tracking/start', { workspace_id: ws, user_id: options.startUser }, options.managerId), context());
  const stopOne = () => stop(post('/time-tracking/stop', { workspace_id: ws, user_id: options.startUser }, options.managerId), context());
  const createCheck = await counted(createOne);
  if (createCheck.result.statusCode !== 201) throw new Error(`create: ${createCheck.result.statusCode} ${createCheck.result.body}`);
  const startCheck = await counted(startOne);
  await stopOne();

  const timed = async (run: () => Promise<{ statusCode?: number; body?: string }>, expected: number, after?: () => Promise<unknown>) => {
    const began = performance.now();
    const answer = await run();
    const ms = performance.now() - began;
    if (answer.statusCode !== expected) throw new Error(`${answer.statusCode} ${answer.body}`);
    await after?.();
    return ms;
  };
  const samples = { oneDay: [] as number[][], month: [] as number[][], create: [] as number[][], start: [] as number[][] };
  for (let batch = 0; batch < options.batches; batch++) {
    const pairs: Array<[keyof typeof samples, () => Promise<number>]> = [
      ['oneDay', () => timed(oneDay, 200)],
      ['month', () => timed(month, 200)],
      ['create', () => timed(createOne, 201)],
      ['start', () => timed(startOne, 200, stopOne)],
    ];
    const order = batch % 2 === 0 ? pairs : [...pairs].reverse();
    const times = Object.fromEntries(order.map(([name]) => [name, [] as number[]])) as Record<keyof typeof samples, number[]>;
    for (let i = 0; i < options.perBatch; i++) for (const [name, run] of order) times[name].push(await run());
    for (const [name] of order) samples[name].push(times[name]);
  }
  const p50 = (name: keyof typeof samples) => round(median(samples[name].flat()));
  const ratio = (a: keyof typeof samples, b: keyof typeof samples) => round(median(samples[a].map((batch, index) => median(batch) / median(samples[b][index]!))), 3);
  return {
    samples_per_figure: options.batches * options.perBatch,
    list_one_day_p50_ms: p50('oneDay'),
    list_31_days_300_entries_p50_ms: p50('month'),
    list_31_days_p99_ms: round(percentile(samples.month.flat(), 99)),
    list_31_days_vs_one_day_p50: ratio('month', 'oneDay'),
    list_31_days_calls: monthCheck.calls,
    create_p50_ms: p50('create'),
    start_p50_ms: p50('start'),
    create_vs_start_p50: ratio('create', 'start'),
    create_calls: createCheck.calls,
    start_calls: startCheck.calls,
  };
}

const post = (path: string, body: object, caller: number) => lambdaEvent('POST', path, caller, { body });
const get = (path: string, query: Record<string, string>, caller: number) => lambdaEvent('GET', path, caller, { query });
const context = lambdaContext;
