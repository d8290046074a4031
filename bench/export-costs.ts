import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { seedToItems } from '../admin/seed.ts';
import { ensureTable } from '../admin/table-admin.ts';
import { startLocalS3 } from '../local/s3/local-s3.ts';
import { batchWriteAll } from '../shared/db/batch-write.ts';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { reportEntryAttribute, reportEntryValue, timeEntryByIdToItem, timeEntryToItem } from '../shared/db/item-mappers.ts';
import { keys } from '../shared/db/keys.ts';
import { benchEntry } from './report-costs.ts';
import { round } from './stats.ts';

/**
 * What an export costs as it grows (docs/exports.md): a detailed export of a year of a
 * workspace, at each size of `rows` (10,000, 100,000 and 500,000 by default, the last a year
 * of about a thousand members), run by the worker's own handler in a process of its own
 * (bench/export-worker-run.ts, as one Lambda invocation), on a DynamoDB Local of its own and
 * the local S3 server. For each size: rows per second, seconds, the file's size, and the
 * worker's peak RSS; then the file is read back from S3 and its data rows counted.
 *
 * Seeding writes what the entry writes store (both copies of each entry, the members' report
 * months; no timelines, which no report reads) with BatchWriteItem, eight writers at a time.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const YEAR = 2025;
const OWNER = 1;
const BUCKET = 'bench-exports';
/**
 * The worker's heap limit, as V8 sets it for the memory Lambda gives the function (512 MB): a
 * quarter of the machine's memory. Without it, on this 24-GiB machine, V8 lets the heap grow to
 * 4 GB before it collects in earnest, and the peak RSS measures how lazily it collects, not
 * what the export holds.
 */
const HEAP_LIMIT_MB = 128;

/** The working days (Monday to Friday) of the year: 261 in 2025. */
const WORKING_DAYS = Array.from({ length: 365 }, (_, index) => new Date(Date.UTC(YEAR, 0, 1 + index)).toISOString().slice(0, 10)).filter(
  (date) => ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay()),
);
const ENTRIES_PER_MEMBER = WORKING_DAYS.length * 2;

export async function measureExportCosts(options: { endpoint: string; sizes: readonly number[]; format: 'csv' | 'xlsx'; log: (line: string) => void }) {
  const tableName = `bench-exports-${Date.now()}`;
  const client = createDocumentClient({ tableName, region: 'us-east-1', endpoint: options.endpoint });
  await ensureTable(client, tableName);
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  const s3 = await startLocalS3({ bucket: BUCKET, directory: undefined, accessKeyIds: [process.env.AWS_ACCESS_KEY_ID] });
  try {
    const bySize: Record<string, Record<string, unknown>> = {};
    for (const [index, rows] of options.sizes.entries()) {
      const workspaceId = 500 + index;
      const members = Math.max(1, Math.round(rows / ENTRIES_PER_MEMBER));
      const began = performance.now();
      const seeded = await seedYear(client, tableName, workspaceId, members);
      options.log(`  seeded ${members} members × ${ENTRIES_PER_MEMBER} entries (${seeded} rows) in ${round((performance.now() - began) / 1000)} s`);
      const { stdout } = await run(
        process.execPath,
        [`--max-old-space-size=${HEAP_LIMIT_MB}`, join(ROOT, 'bench/export-worker-run.ts'), String(workspaceId), String(OWNER), 'detailed', options.format, `${YEAR}-01-01`, `${YEAR}-12-31`],
        {
          cwd: ROOT,
          env: { ...process.env, TABLE_NAME: tableName, DYNAMODB_ENDPOINT: options.endpoint, EXPORTS_BUCKET: BUCKET, AWS_ENDPOINT_URL_S3: s3.endpoint, POWERTOOLS_LOG_LEVEL: 'SILENT' },
          maxBuffer: 1024 * 1024,
        },
      );
      const outcome = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        ms: number;
        status: string;
        error: unknown;
        row_count: number;
        bytes: number;
        object_key: string;
        peak_rss_mb: number;
        invocations: number;
      };
      if (outcome.status !== 'completed') throw new Error(`the ${seeded}-row export ended ${outcome.status}: ${JSON.stringify(outcome.error)}`);
      // The file as stored: its data rows, counted (CSV: lines but the header).
      const fileRows = options.format === 'csv' ? (await countLines(s3.endpoint, outcome.object_key)) - 1 : undefined;
      if (fileRows !== undefined && fileRows !== seeded) throw new Error(`the ${seeded}-row export's file has ${fileRows} data rows`);
      if (outcome.row_count !== seeded) throw new Error(`the ${seeded}-row export says ${outcome.row_count} rows`);
      bySize[String(rows)] = {
        rows: seeded,
        members,
        seconds: round(outcome.ms / 1000),
        rows_per_second: Math.round(seeded / (outcome.ms / 1000)),
        megabytes: round(outcome.bytes / 1024 / 1024),
        peak_rss_mb: round(outcome.peak_rss_mb),
        invocations: outcome.invocations,
        file_rows_checked: fileRows ?? null,
      };
      options.log(`  ${seeded} rows: ${bySize[String(rows)]!.seconds} s, ${bySize[String(rows)]!.rows_per_second} rows/s, peak RSS ${bySize[String(rows)]!.peak_rss_mb} MB`);
    }
    const smallest = bySize[String(options.sizes[0])]!;
    const largest = bySize[String(options.sizes.at(-1))]!;
    return {
      format: options.format,
      report: 'detailed',
      range: `${YEAR}-01-01..${YEAR}-12-31`,
      by_rows: bySize,
      largest_vs_smallest_peak_rss: round((largest.peak_rss_mb as number) / (smallest.peak_rss_mb as number), 3),
      largest_seconds: largest.seconds as number,
    };
  } finally {
    await s3.stop();
    client.destroy();
  }
}

/** Counts a stored file's CRLF-ended records as it streams from S3 (a quoted line break inside a cell is a bare LF: not counted). */
async function countLines(endpoint: string, key: string): Promise<number> {
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1' });
  try {
    const body = (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body as AsyncIterable<Uint8Array>;
    let lines = 0;
    let previous = 0;
    for await (const chunk of body) {
      for (const byte of chunk) {
        if (byte === 10 && previous === 13) lines++;
        previous = byte;
      }
    }
    return lines;
  } finally {
    client.destroy();
  }
}

/** A workspace of `members` members, a contract each (5 projects, rates in EUR), 2 entries every working day of the year. */
async function seedYear(client: ReturnType<typeof createDocumentClient>, tableName: string, workspaceId: number, members: number): Promise<number> {
  const users = Array.from({ length: members }, (_, index) => 10_000 + index);
  const write = async (items: Record<string, unknown>[]) => {
    const requests = items.map((Item) => ({ PutRequest: { Item } }));
    const part = Math.ceil(requests.length / 8 / 25) * 25;
    await Promise.all(Array.from({ length: 8 }, (_, writer) => batchWriteAll(client, tableName, requests.slice(writer * part, (writer + 1) * part), { unprocessedRetries: 10 })));
  };
  await write(
    seedToItems({
      workspaces: [{ id: workspaceId, name: `Bench ${members}` }],
      members: [{ workspace_id: workspaceId, user_id: OWNER, role: 'owner' }, ...users.map((user_id) => ({ workspace_id: workspaceId, user_id, role: 'regular_user' }))],
      projects: Array.from({ length: 5 }, (_, index) => ({ workspace_id: workspaceId, id: index + 1, name: `Project ${index + 1}` })),
      contracts: users.map((user_id, index) => ({
        workspace_id: workspaceId,
        id: user_id,
        user_id,
        project_id: (index % 5) + 1,
        hourly_rate: { amount: 4000 + (index % 7) * 500, currency: 'EUR' },
        rate_effective_from: `${YEAR}-01-01`,
      })),
    }) as Record<string, unknown>[],
  );
  let rows = 0;
  // Twenty members at a time: what is held is their year of items.
  for (let first = 0; first < users.length; first += 20) {
    const items: Record<string, unknown>[] = [];
    for (const [offset, userId] of users.slice(first, first + 20).entries()) {
      const months = new Map<string, Record<string, unknown>>();
      for (const date of WORKING_DAYS) {
        const month = date.slice(0, 7);
        if (!months.has(month)) months.set(month, { ...keys.reportMonth(workspaceId, month, userId), entity: 'report_month', workspace_id: workspaceId, user_id: userId });
        for (const [from, to] of [
          ['09:00', '12:00'],
          ['13:00', '17:30'],
        ]) {
          const entry = benchEntry(workspaceId, userId, `${date}T${from}:00+00:00`, `${date}T${to}:00+00:00`, ((first + offset) % 5) + 1, OWNER, `Work of ${date}`);
          items.push(timeEntryToItem(entry), timeEntryByIdToItem(entry));
          months.get(month)![reportEntryAttribute(entry.entryId)] = reportEntryValue(entry);
          rows++;
        }
      }
      items.push(...months.values());
    }
    await write(items);
  }
  return rows;
}
