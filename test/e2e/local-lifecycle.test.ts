import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callApi } from '../support/api-client.ts';
import { execFileSync } from 'node:child_process';
import { descendantsOf, isAlive, waitUntilGone } from '../support/processes.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalServer } from '../support/local-server.ts';

/**
 * `npm start` exactly as a newcomer runs it: its own DynamoDB Local, the demo seed, the
 * local development issuer, data kept in DATA_DIR across restarts, and nothing left
 * running after SIGTERM.
 */
const DEMO_KEY = 'ttk_AIdzcn7iUhUC6NbpRPZKCrREPZUSIewojOab0pTs-u4';
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-data-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function post(baseUrl: string, path: string, credential: string, body: unknown) {
  const response = await callApi(baseUrl, 'POST', path, { headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: response.body };
}

describe('npm start with its own DynamoDB Local', () => {
  it('prints a curl that works, keeps data across restarts, and stops everything on SIGTERM', async () => {
    const env = { DYNAMODB_ENDPOINT: '', DATA_DIR: dataDir, TABLE_NAME: 'time-tracking-local', AUTH_JWKS_URL: '', AUTH_ISSUER: '', AUTH_AUDIENCE: '', SEED_FILE: '' };
    const first = await startLocalServer(env);
    let processes: number[] = [];
    try {
      processes = descendantsOf(first.pid);
      expect(processes.length).toBeGreaterThanOrEqual(2); // the watchdog and the JVM
      expect(first.output()).toMatch(/Grace Hopper\s+regular_user/);

      // The printed curl, as a newcomer would paste it.
      const curl = /curl -s -X POST (\S+) -H "Authorization: Bearer (\S+)" -H "Content-Type: application\/json" -d '(.+)'/.exec(first.output());
      expect(curl).not.toBeNull();
      const [, url, credential, body] = curl!;
      const started = await post(new URL(url!).origin, new URL(url!).pathname, credential!, JSON.parse(body!));
      expect(started.status).toBe(200);

      // The printed token (the local issuer) works too.
      const token = /Access token of user 100[^\n]*\n\s+(\S+)/.exec(first.output())![1]!;
      const current = await callApi(first.baseUrl, 'GET', '/time-tracking/current-data?workspace_id=1&user_id=101', { headers: { authorization: `Bearer ${token}` } });
      expect((current.body as { data: { is_tracking: boolean } }).data.is_tracking).toBe(true);
    } finally {
      await first.stop();
    }
    await waitUntilGone(processes);
    for (const pid of processes) expect(isAlive(pid)).toBe(false);

    const second = await startLocalServer(env);
    try {
      // The tracker of the first run is still there: its start is refused.
      const again = await post(second.baseUrl, '/time-tracking/start', DEMO_KEY, { workspace_id: 1, user_id: 101 });
      expect(again.status).toBe(400);
      // `npm run token` reads the issuer key the server keeps in DATA_DIR.
      const token = execFileSync(process.execPath, [fileURLToPath(new URL('../../local/token-cli.ts', import.meta.url)), '--user', '102', '--scope', 'read'], {
        env: { ...process.env, DATA_DIR: dataDir },
        encoding: 'utf8',
      }).trim();
      const current = await callApi(second.baseUrl, 'GET', '/time-tracking/current-data?workspace_id=1&user_id=101', { headers: { authorization: `Bearer ${token}` } });
      expect(current.status).toBe(200);
      expect((current.body as { data: { is_tracking: boolean } }).data.is_tracking).toBe(true);
    } finally {
      await second.stop();
    }
  }, 90_000);
});
