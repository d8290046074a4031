/**
 * `npm run bench [-- --against <git ref>]`: the working tree measured against a reference
 * commit (default: the last release tag `v*`, else the previous commit), both in one run,
 * interleaved, every figure a ratio to the reference (medians of per-pair ratios) next to
 * the absolute numbers; then the floors (each function's cold start against the AWS SDK
 * alone, the authorizer's JWT path against the old authorizer, the handler's warm overhead
 * against bare DynamoDB calls). Prints a table, writes bench/results.json, and exits 1 when a
 * target is missed, saying by how much. Not part of `npm test`.
 *
 *   BENCH_ROUNDS (4), BENCH_HTTP_SECONDS (5), BENCH_HTTP_CONNECTIONS (20)   paired HTTP loads
 *   BENCH_WARM_BATCHES (10), BENCH_WARM_PAIRS (20)                          paired warm start → stop
 *   BENCH_COLD_RUNS (15)                                                    fresh processes per bundle
 *   BENCH_ITERATIONS (300)                                                  start-overhead samples
 *   BENCH_HTTP_REQUESTS (3000)                                              the invariant-checked load
 *   BENCH_ENTRY_BATCHES (10), BENCH_ENTRY_PER_BATCH (20), BENCH_ENTRY_PER_PAGE (the default, 20)   entry costs
 *   BENCH_REPORT_ROUNDS (15), BENCH_REPORT_SIZES (10,100,1000)                                    report costs
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { seedToItems } from '../admin/seed.ts';
import { ensureTable, putItems } from '../admin/table-admin.ts';
import { startDynamoDbLocal } from '../local/dynamodb/dynamodb-local.ts';
import { measureFunctionHost } from './function-host.ts';
import { measureColdStart } from './cold-start.ts';
import { measureEntryCosts } from './entry-costs.ts';
import { measureExportCosts } from './export-costs.ts';
import { measureReportCosts } from './report-costs.ts';
import { measureHttpLoad } from './http-load.ts';
import { measurePairedHttp } from './paired-http.ts';
import { measurePairedWarm } from './paired-warm.ts';
import { checkOutReference, defaultReference } from './reference.ts';
import { measureStartOverhead } from './start-overhead.ts';
import { measureWriteFloors } from './write-floors.ts';
import { median } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const { values: args } = parseArgs({ options: { against: { type: 'string' }, only: { type: 'string' } } });
const against = args.against ?? defaultReference(ROOT);
/**
 * `--only http` (or `cold`, `warm`, `floors`, `entries`, `host`, `reports`, `exports`, comma-separated) while working on one figure; a full run checks every target
 * but the exports' (`--only exports`: about 10 minutes, most of it seeding half a million entries).
 */
const only = new Set(args.only ? args.only.split(',') : ['http', 'warm', 'cold', 'floors', 'entries', 'host', 'reports']);

/** `at least` targets are ratios that must reach the value, `at most` ones must not pass it. */
const TARGETS = {
  read_rps_ratio_to_reference: { at_least: 1.0 },
  mixed_rps_ratio_to_reference: { at_least: 1.0 },
  cold_ratio_to_sdk_floor: { at_most: 1.05 },
  authorizer_jwt_ratio_to_old_authorizer: { at_most: 0.6 },
  warm_overhead_ratio: { at_most: 1.1 },
  list_31_days_vs_one_day_p50: { at_most: 1.5 },
  entry_create_vs_start_p50: { at_most: 1.3 },
  host_added_warm_p50_ms: { at_most: 5 },
  invoke_cold_answer_ms: { at_most: 3000 },
  report_largest_vs_smallest_p50: { at_most: 30 },
  report_100_members_vs_member_month_p50: { at_most: 3 },
  report_1000_members_p50_ms: { at_most: 5000 },
  export_largest_vs_smallest_peak_rss: { at_most: 1.3 },
  export_largest_seconds: { at_most: 900 },
} as const;

async function withFreshDynamoDbLocal<T>(run: (endpoint: string) => Promise<T>): Promise<T> {
  const fresh = await startDynamoDbLocal();
  try {
    return await run(fresh.endpoint);
  } finally {
    await fresh.stop();
  }
}

// Only the paired figures read the reference: a run of others (`--only reports,exports`) checks nothing out.
const needsReference = ['http', 'warm', 'cold'].some((figure) => only.has(figure));
const reference = needsReference ? checkOutReference(ROOT, against, (line) => console.log(line)) : { dir: ROOT, sha: 'not checked out', remove: () => {} };
const dynamo = await startDynamoDbLocal();
try {
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.RATE_LIMIT_PER_MINUTE = '0';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const tableName = `bench-start-${Date.now()}`;
  process.env.TABLE_NAME = tableName;
  const client = createDocumentClient({ tableName, region: 'us-east-1', endpoint: dynamo.endpoint });
  await ensureTable(client, tableName);
  await putItems(
    client,
    tableName,
    seedToItems({
      workspaces: [{ id: 1, name: 'Bench' }],
      members: [{ workspace_id: 1, user_id: 1, role: 'owner' }, ...[2, 3, 4, 5, 6, 7, 8].map((user_id) => ({ workspace_id: 1, user_id, role: 'regular_user' }))],
    }),
  );
  if (only.has('reports')) console.log('Reports: a month of workspaces of 10, 100 and 1,000 members against one member’s month, interleaved…');
  const reports = only.has('reports')
    ? await measureReportCosts({
        client,
        tableName,
        sizes: (process.env.BENCH_REPORT_SIZES ?? '10,100,1000').split(',').map(Number),
        rounds: env('BENCH_REPORT_ROUNDS', 15),
        log: (line) => console.log(line),
      })
    : undefined;
  client.destroy();

  if (only.has('exports')) console.log('Exports: a detailed export of a year, 10,000 to 500,000 rows, by the worker in a process of its own, on a DynamoDB Local of its own…');
  const exports = only.has('exports')
    ? await withFreshDynamoDbLocal((endpoint) =>
        measureExportCosts({
          endpoint,
          sizes: (process.env.BENCH_EXPORT_ROWS ?? '10000,100000,500000').split(',').map(Number),
          format: process.env.BENCH_EXPORT_FORMAT === 'xlsx' ? 'xlsx' : 'csv',
          log: (line) => console.log(line),
        }),
      )
    : undefined;

  if (only.has('http')) console.log(`Against ${against} (${reference.sha.slice(0, 7)}): HTTP loads on both npm start, interleaved…`);
  const http = only.has('http')
    ? await measurePairedHttp({
        endpoint: dynamo.endpoint,
        referenceRoot: reference.dir,
        rounds: env('BENCH_ROUNDS', 4),
        seconds: env('BENCH_HTTP_SECONDS', 5),
        connections: env('BENCH_HTTP_CONNECTIONS', 20),
        log: (line) => console.log(line),
      })
    : undefined;
  if (only.has('warm')) console.log('Warm start → stop through both checkouts’ handlers, interleaved…');
  const warm = only.has('warm')
    ? await measurePairedWarm({ endpoint: dynamo.endpoint, referenceRoot: reference.dir, batches: env('BENCH_WARM_BATCHES', 10), pairsPerBatch: env('BENCH_WARM_PAIRS', 20) })
    : undefined;
  if (only.has('cold')) console.log('Cold starts of every bundle, both checkouts and the floors, interleaved…');
  const cold = only.has('cold') ? measureColdStart({ runs: env('BENCH_COLD_RUNS', 15), reference: reference.dir }) : undefined;
  if (only.has('floors')) console.log('The start handler against bare DynamoDB calls…');
  const start = only.has('floors')
    ? await measureStartOverhead({ tableName, endpoint: dynamo.endpoint, workspaceId: 1, managerId: 1, users: [2, 3, 4, 5], iterations: env('BENCH_ITERATIONS', 300) })
    : undefined;
  if (only.has('floors')) console.log('The writes of a start and a stop on this DynamoDB alone, the reference’s and this tree’s…');
  const writes = only.has('floors') ? await withFreshDynamoDbLocal((endpoint) => measureWriteFloors({ endpoint, iterations: env('BENCH_ITERATIONS', 300) })) : undefined;
  if (only.has('entries')) console.log('Time entries: a 31-day list of 300 against a one-day list, a create against a start, interleaved…');
  const entries = only.has('entries')
    ? await measureEntryCosts({
        workspaceId: 1,
        managerId: 1,
        listUser: 6,
        createUser: 7,
        startUser: 8,
        batches: env('BENCH_ENTRY_BATCHES', 10),
        perBatch: env('BENCH_ENTRY_PER_BATCH', 20),
        perPage: process.env.BENCH_ENTRY_PER_PAGE ? Number(process.env.BENCH_ENTRY_PER_PAGE) : undefined,
      })
    : undefined;
  if (only.has('host')) console.log('The function host: a warm invocation through aws-lambda-ric against the same bundle in process, interleaved; then cold `npm run invoke`s of start…');
  const host = only.has('host')
    ? await measureFunctionHost({ endpoint: dynamo.endpoint, tableName, pairs: env('BENCH_HOST_PAIRS', 300), coldRuns: env('BENCH_INVOKE_RUNS', 5), log: (line) => console.log(line) })
    : undefined;
  if (only.has('floors')) console.log('Lifecycle invariants under load…');
  // On a DynamoDB Local of its own: after the loads above, the shared one holds every table and stream record they wrote, and slows down.
  const invariants = only.has('floors')
    ? await withFreshDynamoDbLocal((endpoint) => measureHttpLoad({ endpoint, users: 50, connections: env('BENCH_HTTP_CONNECTIONS', 20), requests: env('BENCH_HTTP_REQUESTS', 3000) }))
    : undefined;

  type Check = { name: string; value: number; target?: { at_least?: number; at_most?: number } };
  const checks: Check[] = [
    ...(http
      ? [
          { name: 'read rps vs reference', value: http.read.ratio_rps, target: TARGETS.read_rps_ratio_to_reference },
          { name: 'mixed rps vs reference', value: http.mixed.ratio_rps, target: TARGETS.mixed_rps_ratio_to_reference },
        ]
      : []),
    ...(cold
      ? [
          ...Object.entries(cold.functions).map(([name, fn]) => ({ name: `cold ${name} vs the SDK floor`, value: fn.ratio_to_sdk_floor, target: TARGETS.cold_ratio_to_sdk_floor })),
          { name: 'cold authorizer (a JWT) vs the old authorizer', value: cold.authorizer_jwt_path.ratio_to_baseline, target: TARGETS.authorizer_jwt_ratio_to_old_authorizer },
        ]
      : []),
    ...(start ? [{ name: 'warm start overhead vs bare calls', value: start.warm_overhead_ratio, target: TARGETS.warm_overhead_ratio }] : []),
    ...(entries
      ? [
          { name: '31-day list of 300 vs one-day list p50', value: entries.list_31_days_vs_one_day_p50, target: TARGETS.list_31_days_vs_one_day_p50 },
          { name: 'entry create vs start p50', value: entries.create_vs_start_p50, target: TARGETS.entry_create_vs_start_p50 },
        ]
      : []),
    ...(reports
      ? [
          { name: 'report summary, largest vs smallest workspace p50', value: reports.largest_vs_smallest_p50, target: TARGETS.report_largest_vs_smallest_p50 },
          ...(reports.hundred_vs_member_month_p50 === undefined
            ? []
            : [{ name: 'report summary of 100 members vs one member’s 31-day summary p50', value: reports.hundred_vs_member_month_p50, target: TARGETS.report_100_members_vs_member_month_p50 }]),
          { name: 'report summary of the largest workspace p50 (ms)', value: reports.largest_p50_ms, target: TARGETS.report_1000_members_p50_ms },
        ]
      : []),
    ...(exports
      ? [
          { name: 'export peak RSS, largest vs smallest', value: exports.largest_vs_smallest_peak_rss, target: TARGETS.export_largest_vs_smallest_peak_rss },
          { name: 'export of the largest size (s)', value: exports.largest_seconds, target: TARGETS.export_largest_seconds },
        ]
      : []),
    ...(host
      ? [
          { name: 'warm invocation added by the function host p50 (ms)', value: host.warm.added_p50_ms, target: TARGETS.host_added_warm_p50_ms },
          { name: 'cold npm run invoke of start, to its answer, own DynamoDB Local p50 (ms)', value: host.cold.own_dynamodb_local_p50_ms, target: TARGETS.invoke_cold_answer_ms },
          { name: 'cold npm run invoke of start, to its answer, running DynamoDB p50 (ms)', value: host.cold.running_dynamodb_p50_ms, target: TARGETS.invoke_cold_answer_ms },
        ]
      : []),
  ];
  const missed = checks.flatMap((check) => {
    const { at_least, at_most } = check.target ?? {};
    if (at_least !== undefined && check.value < at_least) return [`${check.name}: ${check.value}, ${Math.round((1 - check.value / at_least) * 1000) / 10}% under ${at_least}`];
    if (at_most !== undefined && check.value > at_most) return [`${check.name}: ${check.value}, ${Math.round((check.value / at_most - 1) * 1000) / 10}% over ${at_most}`];
    return [];
  });
  const correctness = [
    ...(!start || start.ddb_round_trips === 2 ? [] : [`start makes ${start.ddb_round_trips} DynamoDB round trips, not 2`]),
    ...(!invariants || invariants.errors === 0 ? [] : [`${invariants.errors} errors under load`]),
    ...(!entries || entries.list_31_days_calls.filter((call) => call === 'Query').length === 1 ? [] : [`the 31-day list made ${entries.list_31_days_calls.join(', ')}: not one Query`]),
    ...(!entries || entries.create_calls.length <= 3 ? [] : [`an entry create made ${entries.create_calls.length} DynamoDB calls: ${entries.create_calls.join(', ')}`]),
    ...(!invariants || invariants.invariant_violations === 0 ? [] : [`${invariants.invariant_violations} lifecycle invariant violations under load`]),
  ];

  const results = {
    only: [...only],
    measured_at: new Date().toISOString(),
    node: process.version,
    against: needsReference ? { ref: against, sha: reference.sha } : null,
    targets: TARGETS,
    http,
    warm,
    cold,
    start,
    writes,
    entries,
    host,
    reports,
    exports,
    invariants,
    missed: [...missed, ...correctness],
  };
  // A run of some figures (`--only`) replaces those figures and keeps the others of the last runs.
  const resultsFile = fileURLToPath(new URL('./results.json', import.meta.url));
  const kept = args.only && existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>) : {};
  const measured = Object.fromEntries(Object.entries(results).filter(([, value]) => value !== undefined));
  writeFileSync(resultsFile, `${JSON.stringify({ ...kept, ...measured }, null, 2)}\n`);

  const rows: Array<[string, string, string]> = [
    ...(http
      ? ([
          [
            `read (current-data): rps, current / reference`,
            `${median(http.read.current.map((run) => run.rps))} / ${median(http.read.reference.map((run) => run.rps))} → ${http.read.ratio_rps}×, p99 ${http.read.ratio_p99}×, server CPU per request ${http.read.ratio_cpu_per_request}×`,
            '≥ 1.00',
          ],
          [
            `mixed (start/stop): rps, current / reference`,
            `${median(http.mixed.current.map((run) => run.rps))} / ${median(http.mixed.reference.map((run) => run.rps))} → ${http.mixed.ratio_rps}×, p99 ${http.mixed.ratio_p99}×, server CPU per request ${http.mixed.ratio_cpu_per_request}×`,
            '≥ 1.00',
          ],
        ] as Array<[string, string, string]>)
      : []),
    ...(warm ? ([['warm start → stop p50, current / reference', `${warm.current_p50_ms} / ${warm.reference_p50_ms} ms → ${warm.ratio_p50}×`, '']] as Array<[string, string, string]>) : []),
    ...(start
      ? ([
          ['warm start: full handler / bare calls p50', `${start.p50_ms} / ${start.baseline_p50_ms} ms → ${start.warm_overhead_ratio}×`, '≤ 1.10'],
          ['start: DynamoDB round trips', String(start.ddb_round_trips), '= 2'],
          ['start with the rate limit on / off p50 (floor: bare calls)', `${start.ratelimit.start_p50_ratio}× (floor ${start.ratelimit.floor_p50_ratio}×)`, ''],
        ] as Array<[string, string, string]>)
      : []),
    ...(cold
      ? ([
          ['cold: empty module / the SDK floor', `${cold.empty_import_ms} / ${cold.sdk_floor.import_ms} ms`, ''],
          ...Object.entries(cold.functions).flatMap(
            ([name, fn]): Array<[string, string, string]> => [
              [
                `cold ${name}: ms, vs floor, vs reference`,
                `${fn.import_ms} ms, ${fn.ratio_to_sdk_floor}×, ${'ratio_to_reference' in fn ? `${fn.ratio_to_reference}× (${fn.reference_import_ms} ms)` : 'new'}`,
                '≤ 1.05 (floor)',
              ],
              [
                `  ${name} bundle beyond the SDK`,
                `${Math.round(fn.breakdown.beyond_sdk_bytes / 1024)} of ${Math.round(fn.breakdown.total_bytes / 1024)} KiB: ${fn.breakdown.beyond_sdk
                  .slice(0, 6)
                  .map(([owner, bytes]) => `${owner} ${Math.round(bytes / 1024)}`)
                  .join(', ')}`,
                '',
              ],
            ],
          ),
          [
            'cold authorizer for a JWT vs the old authorizer',
            `${cold.authorizer_jwt_path.import_ms} vs ${cold.authorizer_jwt_path.baseline_import_ms} ms → ${cold.authorizer_jwt_path.ratio_to_baseline}×`,
            '≤ 0.60',
          ],
        ] as Array<[string, string, string]>)
      : []),
    ...(writes
      ? ([
          ['floor: start write, transaction / PutItem p50', `${writes.start_transaction_p50_ms} / ${writes.start_put_p50_ms} ms → ${writes.start_write_ratio}×`, ''],
          [
            'floor: stop write, 7-item / 2-item transaction p50',
            `${writes.stop_seven_items_p50_ms} / ${writes.stop_two_items_p50_ms} ms → ${writes.stop_write_ratio}× (start + stop: ${writes.start_and_stop_write_ratio}×)`,
            '',
          ],
        ] as Array<[string, string, string]>)
      : []),
    ...(entries
      ? ([
          [
            '31-day list (300 entries) / one-day list p50',
            `${entries.list_31_days_300_entries_p50_ms} / ${entries.list_one_day_p50_ms} ms → ${entries.list_31_days_vs_one_day_p50}× (calls: ${entries.list_31_days_calls.join(', ')})`,
            '≤ 1.50',
          ],
          [
            'entry create / start p50',
            `${entries.create_p50_ms} / ${entries.start_p50_ms} ms → ${entries.create_vs_start_p50}× (create: ${entries.create_calls.join(', ')}; start: ${entries.start_calls.join(', ')})`,
            '≤ 1.30',
          ],
        ] as Array<[string, string, string]>)
      : []),
    ...(host
      ? ([
          ['warm invocation: through the host / in process p50', `${host.warm.host_p50_ms} / ${host.warm.in_process_p50_ms} ms → +${host.warm.added_p50_ms} ms`, '≤ +5 ms'],
          [
            'cold npm run invoke of start → answer p50: running DynamoDB / own DynamoDB Local',
            `${host.cold.running_dynamodb_p50_ms} / ${host.cold.own_dynamodb_local_p50_ms} ms (max ${host.cold.own_dynamodb_local_max_ms})`,
            '≤ 3000 ms',
          ],
        ] as Array<[string, string, string]>)
      : []),
    ...(reports
      ? ([
          ...Object.entries(reports.summary_by_members).map(
            ([size, figure]) =>
              [
                `report summary of a month, ${size} members: p50 (p99), DynamoDB Local's floor, calls, items read`,
                `${figure.p50_ms} ms (${figure.p99_ms}), floor ${figure.dynamodb_local_floor_p50_ms} ms (ours ${figure.our_share_p50_ms} ms), ${figure.round_trips}, ${figure.items_read}`,
                '',
              ] as [string, string, string],
          ),
          ['one member’s 31-day /time-entries/summary p50', `${reports.member_31_day_summary.p50_ms} ms, ${reports.member_31_day_summary.round_trips} round trips`, ''],
          [
            'report: largest / smallest workspace p50',
            `${reports.largest_vs_smallest_p50}× (DynamoDB Local's floor alone ${reports.largest_vs_smallest_floor_p50}×${reports.largest_vs_smallest_our_share_p50 === null ? '' : `, our share ${reports.largest_vs_smallest_our_share_p50}×`})`,
            '≤ 30',
          ],
          ['report: 100 members / one member’s month p50', `${reports.hundred_vs_member_month_p50}× (DynamoDB Local's floor of the 100 alone ${reports.hundred_floor_vs_member_month_p50}×)`, '≤ 3'],
          ['report: largest workspace p50', `${reports.largest_p50_ms} ms (seeding took ${reports.seeding_seconds} s)`, '≤ 5000 ms'],
        ] as Array<[string, string, string]>)
      : []),
    ...(exports
      ? ([
          ...Object.entries(exports.by_rows).map(
            ([size, figure]) =>
              [
                `export (${exports.report}, ${exports.format}, a year), ${size} rows: seconds, rows/s, MB, peak RSS`,
                `${figure.seconds} s, ${figure.rows_per_second} rows/s, ${figure.megabytes} MB, ${figure.peak_rss_mb} MB RSS (${figure.members} members; file rows checked: ${figure.file_rows_checked ?? 'n/a'})`,
                '',
              ] as [string, string, string],
          ),
          ['export: peak RSS, largest / smallest', `${exports.largest_vs_smallest_peak_rss}×`, '≤ 1.3'],
          ['export: the largest, seconds', `${exports.largest_seconds} s`, '≤ 900 s'],
        ] as Array<[string, string, string]>)
      : []),
    ...(invariants ? ([['load: errors / invariant violations', `${invariants.errors} / ${invariants.invariant_violations}`, '0 / 0']] as Array<[string, string, string]>) : []),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\n${needsReference ? `against ${against} (${reference.sha.slice(0, 7)})` : 'no reference (no paired figure)'}, Node ${process.version}\n`);
  for (const [name, value, target] of rows) console.log(`${name.padEnd(width)}  ${value}${target ? `   [target ${target}]` : ''}`);
  console.log('\nWrote bench/results.json');
  if (missed.length + correctness.length > 0) {
    console.error(`\nNOT MET:\n- ${[...missed, ...correctness].join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log('\nEvery target met.');
  }
} finally {
  await dynamo.stop();
  reference.remove();
}
