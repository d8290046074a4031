/**
 * Admin CLI for any table: DynamoDB Local (DYNAMODB_ENDPOINT set) or a deployed table
 * (the standard AWS credential chain and AWS_REGION).
 *
 *   npm run admin -- api-key create --user 100 --name laptop [--scopes "read write"] [--expires-in-days 90]
 *   npm run admin -- api-key list [--user 100]
 *   npm run admin -- api-key revoke <key_id>
 *   npm run admin -- api-key index   (keys made before users had their own list: listed and counted from then on)
 *   npm run admin -- seed <file.json>   (workspace data upserted; API keys inserted, never changed)
 *   npm run admin -- backfill-time-entries   (entries stored before versions existed: by-id copy, history, timeline)
 *   npm run admin -- backfill-report-months  (entries stored before report months existed: the reports read them)
 *   npm run admin -- backfill-change-feed    (entry versions and directory changes stored before the change feed existed)
 *   npm run admin -- backfill-member-index   (memberships stored before users had a mark of each: only members hold API keys)
 *
 * TABLE_NAME names the table. A created key is printed once and never stored in clear.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { generateApiKey } from '../shared/auth/api-keys.ts';
import { createPersonalAccessToken } from '../shared/auth/personal-access-tokens.ts';
import { SCOPES, type Scope } from '../shared/auth/scopes.ts';
import { loadDatabaseConfig } from '../shared/config/database-config.ts';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { createApiKeyAdmin } from './api-key-admin.ts';
import { loadSeed } from './seed-loader.ts';
import { backfillTimeEntries } from './time-entry-backfill.ts';
import { backfillMemberIndex } from './member-index-backfill.ts';
import { backfillReportMonths } from './report-month-backfill.ts';
import { backfillChangeFeed } from './change-feed-backfill.ts';

export async function runAdminCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      user: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string', default: 'read write' },
      'expires-in-days': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [group, action, argument] = positionals;
  if (values.help || !group) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadDatabaseConfig();
  const client = createDocumentClient(config);
  try {
    const apiKeys = createApiKeyAdmin(client, config.tableName);
    if (group === 'seed') {
      const file = action;
      if (!file) throw new UsageError('seed needs a file: npm run admin -- seed path/to/seed.json');
      const seed = JSON.parse(await readFile(file, 'utf8'));
      const loaded = await loadSeed(client, config.tableName, seed, { endpoint: config.endpoint });
      out(`Loaded ${loaded.items} items and ${loaded.apiKeys} new API keys into ${config.tableName}${loaded.apiKeysKept > 0 ? ` (${loaded.apiKeysKept} existing keys left unchanged)` : ''}.`);
      return 0;
    }
    if (group === 'backfill-time-entries') {
      const result = await backfillTimeEntries(client, config.tableName);
      out(`Backfilled ${result.backfilled} of ${result.scanned} time entries in ${config.tableName}; marked ${result.marked} running trackers.`);
      return 0;
    }
    if (group === 'backfill-report-months') {
      const result = await backfillReportMonths(client, config.tableName);
      out(`Put ${result.backfilled} of ${result.scanned} time entries in their report months in ${config.tableName}.`);
      return 0;
    }
    if (group === 'backfill-change-feed') {
      const result = await backfillChangeFeed(client, config.tableName);
      out(`Gave ${result.backfilled} of ${result.scanned} changes their place in the change feed of ${config.tableName}.`);
      return 0;
    }
    if (group === 'backfill-member-index') {
      const result = await backfillMemberIndex(client, config.tableName);
      out(`Marked ${result.memberships} memberships in their users' partitions of ${config.tableName}, and rebuilt the owners sets of ${result.workspaces} workspaces.`);
      return 0;
    }
    if (group !== 'api-key') throw new UsageError(`unknown command "${group}"`);
    if (action === 'create') {
      const userId = positiveInteger(values.user, '--user');
      if (!values.name) throw new UsageError('--name is required (what the key is for)');
      const scopes = values.scopes!.split(/[\s,]+/).filter(Boolean);
      const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
      if (scopes.length === 0 || unknown.length > 0) throw new UsageError(`--scopes takes ${SCOPES.join(', ')}; got "${values.scopes}"`);
      const days = values['expires-in-days'] === undefined ? undefined : positiveInteger(values['expires-in-days'], '--expires-in-days');
      const now = new Date();
      // As over the API (POST /api-keys), by an operator who holds every scope: the same limit of live keys.
      const { key, record } = await createPersonalAccessToken(
        { userId, scopes: new Set(SCOPES) },
        { name: values.name, scopes: scopes as Scope[], expiresAt: days === undefined ? null : new Date(now.getTime() + days * 86_400_000).toISOString() },
        { store: apiKeys.store, now, generate: generateApiKey },
      );
      out(
        values.json
          ? JSON.stringify({ key, key_id: record.keyId, user_id: userId, scopes: record.scopes, expires_at: record.expiresAt })
          : [
              `Created API key ${record.keyId} for user ${userId} (${record.scopes.join(' ')}${record.expiresAt ? `, expires ${record.expiresAt}` : ''}).`,
              'Copy it now: it is shown only once.',
              '',
              `  ${key}`,
              '',
              `Use it as: Authorization: Bearer ${record.displayPrefix}`,
            ].join('\n'),
      );
      return 0;
    }
    if (action === 'list') {
      const userId = values.user === undefined ? undefined : positiveInteger(values.user, '--user');
      const records = await apiKeys.list({ userId });
      const rows = records.map((r) => ({
        key_id: r.keyId,
        user_id: r.userId,
        name: r.name,
        prefix: r.displayPrefix,
        scopes: r.scopes.join(' '),
        created_at: r.createdAt,
        expires_at: r.expiresAt ?? '-',
        revoked_at: r.revokedAt ?? '-',
      }));
      if (values.json) out(JSON.stringify(rows));
      else if (rows.length === 0) out('No API keys.');
      else for (const row of rows) out(Object.values(row).join('\t'));
      return 0;
    }
    if (action === 'index') {
      out(`Indexed ${await apiKeys.index()} API keys by user in ${config.tableName}.`);
      return 0;
    }
    if (action === 'revoke') {
      if (!argument) throw new UsageError('revoke needs a key id (see `api-key list`)');
      const record = await apiKeys.revoke(argument, new Date());
      if (!record) {
        out(`No API key with id ${argument}.`);
        return 1;
      }
      out(`Revoked API key ${record.keyId} (${record.name}, user ${record.userId}) at ${record.revokedAt}.`);
      return 0;
    }
    throw new UsageError(`unknown api-key action "${action ?? ''}"`);
  } finally {
    client.destroy();
  }
}

class UsageError extends Error {}

const USAGE = `Usage (TABLE_NAME, and DYNAMODB_ENDPOINT for DynamoDB Local, in the environment):
  npm run admin -- api-key create --user <id> --name <name> [--scopes "read write"] [--expires-in-days <n>] [--json]
  npm run admin -- api-key list [--user <id>] [--json]
  npm run admin -- api-key revoke <key_id>
  npm run admin -- api-key index   (once after upgrading: keys made before users had their own list)
  npm run admin -- seed <file.json>
  npm run admin -- backfill-time-entries
  npm run admin -- backfill-report-months  (once after upgrading: the reports read them)
  npm run admin -- backfill-change-feed    (once after upgrading: the change feed reads them)
  npm run admin -- backfill-member-index   (once after upgrading: only members hold API keys)`;

function positiveInteger(value: string | undefined, flag: string): number {
  if (!value || !/^[1-9]\d{0,15}$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`${flag} must be a positive integer`);
  return Number(value);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runAdminCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(error instanceof UsageError ? `${error.message}\n\n${USAGE}` : `admin: ${error.message}`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
