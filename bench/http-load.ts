import autocannon from 'autocannon';
import { writeBenchSeed } from './bench-seed.ts';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { scanAll } from '../admin/table-admin.ts';
import { startLocalServer } from '../test/support/local-server.ts';
import { trackingInvariantViolations, type StartOutcome, type StopOutcome } from '../test/support/tracking-invariants.ts';
import { round } from './stats.ts';

/**
 * The local runtime (API Gateway emulator, authorizer, handlers, DynamoDB Local) under
 * autocannon, on loopback only, bounded in requests: many users starting and stopping
 * concurrently. Afterwards the table must satisfy the lifecycle invariants.
 */
export async function measureHttpLoad(options: { endpoint: string; users: number; connections: number; requests: number }) {
  const { workspaceId, users, apiKey, seedFile } = writeBenchSeed('bench-http', options.users);
  const tableName = `bench-http-${Date.now()}`;
  const server = await startLocalServer({
    DYNAMODB_ENDPOINT: options.endpoint,
    TABLE_NAME: tableName,
    SEED_FILE: seedFile,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    RATE_LIMIT_PER_MINUTE: '0',
    AUTH_JWKS_URL: '',
    AUTH_ISSUER: '',
    AUTH_AUDIENCE: '',
  });
  const starts: StartOutcome[] = [];
  const stops: StopOutcome[] = [];
  let serverErrors = 0;
  let operation = 0;
  const pickUser = () => users[Math.floor(Math.random() * users.length)]!;
  try {
    const result = await autocannon({
      url: server.baseUrl,
      connections: options.connections,
      amount: options.requests,
      timeout: 10,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          path: '/time-tracking/start',
          setupRequest: (request: any, context: any) => {
            context.user = pickUser();
            context.description = `load ${operation++}`;
            return { ...request, body: JSON.stringify({ workspace_id: workspaceId, user_id: context.user, activity_description: context.description }) };
          },
          onResponse: (status: number, body: string, context: any) => {
            if (status >= 500) serverErrors++;
            if (status === 200) starts.push({ userId: context.user, startTime: JSON.parse(body).data.start_time, description: context.description });
          },
        },
        {
          method: 'POST',
          path: '/time-tracking/stop',
          setupRequest: (request: any, context: any) => {
            // Half the time the user just started, half the time anyone: races on purpose.
            context.stopUser = Math.random() < 0.5 ? context.user : pickUser();
            return { ...request, body: JSON.stringify({ workspace_id: workspaceId, user_id: context.stopUser }) };
          },
          onResponse: (status: number, body: string, context: any) => {
            if (status >= 500) serverErrors++;
            if (status === 200) stops.push({ userId: context.stopUser, timeEntryId: JSON.parse(body).data.time_entry_id });
          },
        },
      ],
    } as any);

    const client = createDocumentClient({ tableName, region: 'us-east-1', endpoint: options.endpoint });
    const items = await scanAll(client, tableName);
    client.destroy();
    const violations = trackingInvariantViolations(items, starts, stops);
    return {
      requests: result.requests.total,
      connections: options.connections,
      users: options.users,
      rps: round(result.requests.average, 1),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      errors: serverErrors + result.errors + result.timeouts,
      successful_starts: starts.length,
      successful_stops: stops.length,
      invariant_violations: violations.length,
      ...(violations.length > 0 ? { violations: violations.slice(0, 20) } : {}),
    };
  } finally {
    await server.stop();
  }
}
