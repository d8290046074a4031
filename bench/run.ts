/**
 * `npm run bench`: prints a table and writes bench/results.json. Not part of `npm test`:
 * it compares ratios measured in one run, on whatever machine runs it.
 *
 *   BENCH_ITERATIONS (300)  start-overhead samples per variant
 *   BENCH_COLD_RUNS (15)    fresh processes per bundle
 *   BENCH_HTTP_REQUESTS (5000), BENCH_HTTP_CONNECTIONS (20), BENCH_HTTP_USERS (50)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { seedToItems } from '../admin/seed.ts';
import { ensureTable, putItems } from '../admin/table-admin.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { measureColdStart } from './cold-start.ts';
import { measureHttpLoad } from './http-load.ts';
import { measureStartOverhead } from './start-overhead.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TARGETS = { warm_overhead_ratio: 1.1, ratelimit_start_p50_ratio: 1.1, cold_ratio_to_baseline: 0.8, cold_ratio_to_sdk_floor: 1.05, authorizer_jwt_ratio_to_baseline: 0.6 };

const dynamo = await startDynamoDbLocal();
try {
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  // The baseline start runs without the limit; the bench builds its own limited variant.
  process.env.RATE_LIMIT_PER_MINUTE = '0';
  // EMF lines on stdout would drown the report (their cost is a JSON.stringify per request).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const tableName = `bench-start-${Date.now()}`;
  process.env.TABLE_NAME = tableName;
  const client = createDocumentClient({ tableName, region: 'us-east-1', endpoint: dynamo.endpoint });
  await ensureTable(client, tableName);
  await putItems(client, tableName, seedToItems({
    workspaces: [{ id: 1, name: 'Bench' }],
    members: [{ workspace_id: 1, user_id: 1, role: 'owner' }, ...[2, 3, 4, 5].map((user_id) => ({ workspace_id: 1, user_id, role: 'regular_user' }))],
  }));
  client.destroy();

  console.log('Measuring the start handler against a bare handler…');
  const start = await measureStartOverhead({ tableName, endpoint: dynamo.endpoint, workspaceId: 1, managerId: 1, users: [2, 3, 4, 5], iterations: env('BENCH_ITERATIONS', 300) });
  console.log('Measuring cold starts of the bundles…');
  const cold = measureColdStart({ runs: env('BENCH_COLD_RUNS', 15) });
  console.log('Load-testing the local runtime…');
  const http = await measureHttpLoad({
    endpoint: dynamo.endpoint,
    users: env('BENCH_HTTP_USERS', 50),
    connections: env('BENCH_HTTP_CONNECTIONS', 20),
    requests: env('BENCH_HTTP_REQUESTS', 5000),
  });

  const { ratelimit, ...startResults } = start;
  const results = { measured_at: new Date().toISOString(), node: process.version, targets: TARGETS, start: startResults, ratelimit, cold, http };
  writeFileSync(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`);

  const mark = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  const rows: Array<[string, string, string]> = [
    ['start: DynamoDB round trips', String(start.ddb_round_trips), mark(start.ddb_round_trips === 2)],
    ['start: full handler p50 / p99', `${start.p50_ms} / ${start.p99_ms} ms`, ''],
    ['start: bare handler p50 / p99', `${start.baseline_p50_ms} / ${start.baseline_p99_ms} ms`, ''],
    ['start: warm overhead ratio (≤ 1.10)', String(start.warm_overhead_ratio), mark(start.warm_overhead_ratio <= TARGETS.warm_overhead_ratio)],
    ['start with the rate limit on: p50 / p99', `${ratelimit.p50_ms} / ${ratelimit.p99_ms} ms`, ''],
    ['ratelimit: start p50, limit on / off (≤ 1.10)', String(ratelimit.start_p50_ratio), mark(ratelimit.start_p50_ratio <= TARGETS.ratelimit_start_p50_ratio)],
    ['ratelimit: floor, bare calls with / without the counter', String(ratelimit.floor_p50_ratio), ''],
    ['cold: empty module', `${cold.empty_import_ms} ms`, ''],
    ['cold: DynamoDB client alone, bundled as shipped (the floor)', `${cold.sdk_floor.import_ms} ms, ${Math.round(cold.sdk_floor.bundle_bytes / 1024)} KiB`, ''],
    ...Object.entries(cold.functions).flatMap(([name, fn]): Array<[string, string, string]> => [
      [`cold: ${name}, shipped vs before (≤ 0.80)`, `${fn.import_ms} ms, ${fn.ratio_to_baseline}×, ${Math.round(fn.bundle_bytes / 1024)} KiB`, mark(fn.ratio_to_baseline <= TARGETS.cold_ratio_to_baseline)],
      [`cold: ${name}, shipped vs the floor (≤ 1.05)`, `${fn.ratio_to_sdk_floor}×`, mark(fn.ratio_to_sdk_floor <= TARGETS.cold_ratio_to_sdk_floor)],
      [`cold: ${name}, by configuration`, Object.entries(fn.variants_ms).map(([variant, ms]) => `${variant} ${ms}`).join(', '), ''],
    ]),
    ['cold: authorizer for a JWT, vs before (≤ 0.60)', `${cold.authorizer_jwt_path.import_ms} vs ${cold.authorizer_jwt_path.baseline_import_ms} ms, ${cold.authorizer_jwt_path.ratio_to_baseline}×`, mark(cold.authorizer_jwt_path.ratio_to_baseline <= TARGETS.authorizer_jwt_ratio_to_baseline)],
    ['http: requests / rps', `${http.requests} / ${http.rps}`, ''],
    ['http: p50 / p99', `${http.p50_ms} / ${http.p99_ms} ms`, ''],
    ['http: errors (5xx, socket)', String(http.errors), mark(http.errors === 0)],
    ['http: invariant violations', String(http.invariant_violations), mark(http.invariant_violations === 0)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  console.log(`\n${'measure'.padEnd(width)}  ${'value'.padEnd(valueWidth)}  target`);
  for (const [name, value, target] of rows) console.log(`${name.padEnd(width)}  ${value.padEnd(valueWidth)}  ${target}`);
  console.log('\nWrote bench/results.json');
} finally {
  await dynamo.stop();
}
