import { readFileSync, rmSync } from 'node:fs';
import { writeBenchSeed } from './bench-seed.ts';
import { startLocalServer } from '../test/support/local-server.ts';
import { runLoad, type LoadKind, type LoadResult } from './paired-load.ts';
import { median, round } from './stats.ts';

/**
 * `npm start` of the working tree and of the reference, side by side on one DynamoDB Local
 * (a table each), the rate limit off, loaded in turn: every round runs each load on both,
 * the order alternating, so that each ratio is taken from two runs a few seconds apart.
 */
export type PairedHttp = Record<LoadKind, { ratio_rps: number; ratio_p99: number; ratio_cpu_per_request: number; current: MeasuredLoad[]; reference: MeasuredLoad[] }>;
type MeasuredLoad = LoadResult & { cpu_ms_per_request: number };

/**
 * CPU time (user + system) the server's process has used, in ms, from /proc: on a 2-core
 * machine shared with DynamoDB Local and the load generator, throughput swings by ±10% from
 * run to run, while the CPU a request costs the server is the code's own figure.
 */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return Number.NaN;
  }
}

export async function measurePairedHttp(options: { endpoint: string; referenceRoot: string; rounds: number; seconds: number; connections: number; log: (line: string) => void }): Promise<PairedHttp> {
  const { workspaceId, users, apiKey, dir, seedFile } = writeBenchSeed('bench-paired', 50);
  const env = (name: string) => ({
    DYNAMODB_ENDPOINT: options.endpoint,
    TABLE_NAME: `bench-${name}-${Date.now()}`,
    SEED_FILE: seedFile,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    RATE_LIMIT_PER_MINUTE: '0',
    AUTH_JWKS_URL: '',
    AUTH_ISSUER: '',
    AUTH_AUDIENCE: '',
  });
  const servers: Array<Awaited<ReturnType<typeof startLocalServer>>> = [];
  try {
    const current = await startLocalServer(env('current'));
    servers.push(current);
    const reference = await startLocalServer(env('reference'), { root: options.referenceRoot });
    servers.push(reference);
    const trees = { current, reference } as const;
    const results: Record<LoadKind, Record<'current' | 'reference', MeasuredLoad[]>> = { read: { current: [], reference: [] }, mixed: { current: [], reference: [] } };
    const measured = async (tree: 'current' | 'reference', kind: LoadKind): Promise<MeasuredLoad> => {
      const before = cpuMsOf(trees[tree].pid);
      const load = await runLoad({ baseUrl: trees[tree].baseUrl, apiKey, kind, seconds: options.seconds, connections: options.connections, workspaceId, users });
      return { ...load, cpu_ms_per_request: round((cpuMsOf(trees[tree].pid) - before) / Math.max(load.requests, 1), 3) };
    };
    for (const kind of ['read', 'mixed'] as const) {
      // A short warm-up of each, not counted: JIT, connections, the authorizer cache.
      for (const server of [current, reference]) await runLoad({ baseUrl: server.baseUrl, apiKey, kind, seconds: 1, connections: options.connections, workspaceId, users });
      for (let round_ = 0; round_ < options.rounds; round_++) {
        const order = round_ % 2 === 0 ? (['reference', 'current'] as const) : (['current', 'reference'] as const);
        for (const tree of order) results[kind][tree].push(await measured(tree, kind));
        const last = (tree: 'current' | 'reference') => results[kind][tree].at(-1)!;
        options.log(
          `  ${kind} round ${round_ + 1}/${options.rounds}: current ${last('current').rps} rps (${last('current').cpu_ms_per_request} ms CPU/request), reference ${last('reference').rps} rps (${last('reference').cpu_ms_per_request})`,
        );
      }
    }
    const paired = (kind: LoadKind, field: 'rps' | 'p99_ms' | 'cpu_ms_per_request') =>
      round(median(results[kind].current.map((run, index) => run[field] / Math.max(results[kind].reference[index]![field], 0.001))), 3);
    return Object.fromEntries(
      (['read', 'mixed'] as const).map((kind) => [
        kind,
        { ratio_rps: paired(kind, 'rps'), ratio_p99: paired(kind, 'p99_ms'), ratio_cpu_per_request: paired(kind, 'cpu_ms_per_request'), ...results[kind] },
      ]),
    ) as PairedHttp;
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
