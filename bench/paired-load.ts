import autocannon from 'autocannon';
import { round } from './stats.ts';

/**
 * One bounded HTTP load on a running `npm start` (loopback only): `read` is
 * `GET /time-tracking/current-data` for random members, `mixed` is starts and stops of
 * random members, racing on purpose. Bounded by duration, and by autocannon's own timeouts.
 */
export type LoadKind = 'read' | 'mixed';
export type LoadResult = { rps: number; p50_ms: number; p99_ms: number; requests: number; errors: number };

export async function runLoad(options: { baseUrl: string; apiKey: string; kind: LoadKind; seconds: number; connections: number; workspaceId: number; users: readonly number[] }): Promise<LoadResult> {
  let serverErrors = 0;
  const pickUser = () => options.users[Math.floor(Math.random() * options.users.length)]!;
  const count = (status: number) => {
    if (status >= 500) serverErrors++;
  };
  const requests =
    options.kind === 'read'
      ? [{ method: 'GET', setupRequest: (request: any) => ({ ...request, path: `/time-tracking/current-data?workspace_id=${options.workspaceId}&user_id=${pickUser()}` }), onResponse: count }]
      : [
          {
            method: 'POST',
            path: '/time-tracking/start',
            setupRequest: (request: any, context: any) => ((context.user = pickUser()), { ...request, body: JSON.stringify({ workspace_id: options.workspaceId, user_id: context.user }) }),
            onResponse: count,
          },
          {
            method: 'POST',
            path: '/time-tracking/stop',
            setupRequest: (request: any, context: any) => ({ ...request, body: JSON.stringify({ workspace_id: options.workspaceId, user_id: Math.random() < 0.5 ? context.user : pickUser() }) }),
            onResponse: count,
          },
        ];
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
    requests,
  } as any);
  return { rps: round(result.requests.average, 1), p50_ms: result.latency.p50, p99_ms: result.latency.p99, requests: result.requests.total, errors: serverErrors + result.errors + result.timeouts };
}
