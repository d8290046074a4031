import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../shared/auth/api-keys.ts';

/**
 * The workspace the HTTP benchmarks load: one owner (user 1) with a fresh API key and
 * `userCount` regular members (100, 101, …), written as a seed file in a temporary folder.
 */
export function writeBenchSeed(prefix: string, userCount: number) {
  const workspaceId = 1;
  const managerId = 1;
  const users = Array.from({ length: userCount }, (_, index) => 100 + index);
  const apiKey = generateApiKey();
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const seedFile = join(dir, 'seed.json');
  writeFileSync(
    seedFile,
    JSON.stringify({
      workspaces: [{ id: workspaceId, name: 'Bench' }],
      members: [{ workspace_id: workspaceId, user_id: managerId, role: 'owner' }, ...users.map((user_id) => ({ workspace_id: workspaceId, user_id, role: 'regular_user' }))],
      api_keys: [{ user_id: managerId, name: 'bench', key: apiKey, scopes: ['read', 'write'] }],
    }),
  );
  return { workspaceId, managerId, users, apiKey, dir, seedFile };
}
