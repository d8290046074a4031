import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { descendantsOf, isAlive, waitUntilGone } from '../support/processes.ts';

/**
 * A test runner killed with SIGKILL cannot clean up: the watchdog must stop DynamoDB Local
 * by itself when its parent disappears.
 */

describe('DynamoDB Local watchdog', () => {
  it('stops the JVM when the process that started it is killed', async () => {
    const script = `
      import { startDynamoDbLocal } from ${JSON.stringify(fileURLToPath(new URL('../../local/dynamodb/dynamodb-local.ts', import.meta.url)))};
      const dynamo = await startDynamoDbLocal();
      console.log(dynamo.pid);
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const guardPid = await new Promise<number>((resolve, reject) => {
        parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
        parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
      });
      const [javaPid] = descendantsOf(guardPid);
      expect(javaPid).toBeGreaterThan(0);
      parent.kill('SIGKILL');
      await waitUntilGone([guardPid, javaPid!]);
      expect(isAlive(javaPid!)).toBe(false);
      expect(isAlive(guardPid)).toBe(false);
    } finally {
      if (parent.exitCode === null) parent.kill('SIGKILL');
    }
  });
});
