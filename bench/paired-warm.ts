import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { seedToItems } from '../admin/seed.ts';
import { ensureTable, putItems } from '../admin/table-admin.ts';
import { median, percentile, round } from './stats.ts';

/**
 * Warm start → stop through each checkout's own handlers (bench/warm-worker.ts, a process per
 * checkout, a table each), in interleaved batches: the ratio is the median of per-batch
 * ratios of p50s.
 */
const WORKER = fileURLToPath(new URL('./warm-worker.ts', import.meta.url));
const MEMBERS = Array.from({ length: 24 }, (_, index) => 2 + index);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function measurePairedWarm(options: { endpoint: string; referenceRoot: string; batches: number; pairsPerBatch: number }) {
  const workers: ChildProcess[] = [];
  const start = async (root: string, name: string) => {
    const tableName = `bench-warm-${name}-${Date.now()}`;
    const client = createDocumentClient({ tableName, region: 'us-east-1', endpoint: options.endpoint });
    await ensureTable(client, tableName);
    await putItems(
      client,
      tableName,
      seedToItems({
        workspaces: [{ id: 1, name: 'Bench' }],
        members: [{ workspace_id: 1, user_id: 1, role: 'owner' }, ...MEMBERS.map((user_id) => ({ workspace_id: 1, user_id, role: 'regular_user' }))],
      }),
    );
    client.destroy();
    const child = fork(WORKER, [root], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        TABLE_NAME: tableName,
        DYNAMODB_ENDPOINT: options.endpoint,
        RATE_LIMIT_PER_MINUTE: '0',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        AUTH_JWKS_URL: 'https://issuer.invalid/jwks.json',
        AUTH_ISSUER: 'x',
        AUTH_AUDIENCE: 'y',
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    workers.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`warm worker for ${root} exited (${code})`)));
    });
    return (pairs: number, userId: number) =>
      new Promise<number[]>((resolve, reject) => {
        child.once('message', (message: { times?: number[]; error?: string }) => (message.times ? resolve(message.times) : reject(new Error(message.error))));
        child.send({ pairs, workspaceId: 1, managerId: 1, userId });
      });
  };
  try {
    const current = await start(ROOT, 'current');
    const reference = await start(options.referenceRoot, 'reference');
    await current(20, MEMBERS[0]!);
    await reference(20, MEMBERS[0]!);
    const samples = { current: [] as number[][], reference: [] as number[][] };
    for (let batch = 0; batch < options.batches; batch++) {
      const order =
        batch % 2 === 0
          ? ([
              ['reference', reference],
              ['current', current],
            ] as const)
          : ([
              ['current', current],
              ['reference', reference],
            ] as const);
      // A member per batch: a day of 20 starts and stops each, as a busy member has, not hundreds on one member.
      for (const [name, run] of order) samples[name].push(await run(options.pairsPerBatch, MEMBERS[(batch + 1) % MEMBERS.length]!));
    }
    const all = (name: 'current' | 'reference') => samples[name].flat();
    return {
      pairs: options.batches * options.pairsPerBatch,
      current_p50_ms: round(median(all('current'))),
      current_p99_ms: round(percentile(all('current'), 99)),
      reference_p50_ms: round(median(all('reference'))),
      reference_p99_ms: round(percentile(all('reference'), 99)),
      ratio_p50: round(median(samples.current.map((batch, index) => median(batch) / median(samples.reference[index]!))), 3),
    };
  } finally {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGTERM');
  }
}
