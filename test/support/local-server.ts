import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const START = fileURLToPath(new URL('../../local/start.js', import.meta.url));
/** What a template run prints before it synthesizes the stack (local/template/template-runtime.ts). */
const SYNTHESIZING = 'Synthesizing the stack';

/**
 * Runs `npm start`'s entry point as a child process on a free port and waits for its
 * banner. Always stopped by its pid (SIGTERM, then SIGKILL). `root`: another checkout's
 * `npm start` (the benchmark's reference).
 */
export async function startLocalServer(env: Record<string, string>, options: { root?: string } = {}) {
  const entry = options.root ? `${options.root}/local/start.js` : START;
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: 'memory', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const baseUrl = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /ready at (http:\/\/\S+)/.exec(output);
        if (ready) resolve(ready[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`local server exited (${code}):\n${output}`)));
      // A template run may synthesize the stack first (every function bundled), or wait for another test file's synthesis
      // of the same template (the cache's lock): on two loaded cores either can pass a minute.
      const slow = () => output.includes(SYNTHESIZING) || env.RUNTIME === 'template';
      const giveUp = () => reject(new Error(`local server not ready after ${slow() ? 240 : 60} s:\n${output}`));
      setTimeout(() => (slow() ? setTimeout(giveUp, 180_000).unref() : giveUp()), 60_000).unref();
    });
    return {
      baseUrl,
      pid: child.pid!,
      output: () => output,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(force);
        }
        return exited;
      },
    };
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }
}

/** Runs the server expecting it to fail at startup; returns its exit code and output. */
export async function failingStart(env: Record<string, string>) {
  const child = spawn(process.execPath, [START], { env: { ...process.env, PORT: '0', DATA_DIR: 'memory', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, output };
}
