import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startRuntimeApi, type InvocationOutcome, type RuntimeApi } from './runtime-api.ts';

/**
 * Runs one Lambda function on this machine as Lambda runs it, without Docker: each
 * execution environment is a process of AWS's own runtime interface client (`aws-lambda-ric`,
 * what Lambda's Node.js images run) talking to its own local Runtime API (runtime-api.ts).
 * The client loads the handler from the task root by its `Handler` string, builds the
 * context and serializes errors; the host gives it only the variables Lambda sets and the
 * function's own, caps its heap to the memory size as Lambda's bootstrap does, ends an
 * invocation at its deadline (and discards that environment, as Lambda does), and reports
 * each invocation as Lambda's REPORT line does.
 *
 * One environment runs one invocation at a time; concurrent invocations get more
 * environments (each a cold start), up to `maxEnvironments`, beyond which they wait.
 */
export class RuntimeClientMissingError extends Error {
  override name = 'RuntimeClientMissingError';
}

/** The client's entry file, with its native part beside it (built by `npm ci` on Linux, with cmake and a C++ compiler; skipped on macOS). */
function runtimeClientEntry(): string {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('aws-lambda-ric');
  } catch {
    entry = '';
  }
  if (!entry || !existsSync(join(dirname(entry), 'rapid-client.node'))) {
    throw new RuntimeClientMissingError(
      'aws-lambda-ric (the Lambda runtime interface client that runs the template’s functions) is not installed with its native part: `npm ci` builds it on Linux, with cmake, make, a C++ compiler and python3 (Debian/Ubuntu: `sudo apt-get install -y cmake make g++ python3`, then `npm ci`); it does not build on macOS. `npm start` does not need it.',
    );
  }
  return entry;
}
/** Lambda's limit on the init phase of an on-demand function. */
const INIT_TIMEOUT_MS = 10_000;

export type HostedFunction = {
  /** AWS_LAMBDA_FUNCTION_NAME (here, the template's logical id). */
  name: string;
  /** The function's code (the asset folder): LAMBDA_TASK_ROOT, where the handler is looked up. */
  taskRoot: string;
  /** The template's `Handler`, e.g. "index.handler". */
  handler: string;
  memorySizeMb: number;
  timeoutSeconds: number;
  region: string;
  /** The function's own variables (the template's, resolved), and the endpoints it reaches on this machine. */
  environment: Record<string, string>;
  /** LoggingConfig: JSON or Text, and the application log level (JSON only). */
  logFormat?: 'JSON' | 'Text';
  applicationLogLevel?: string;
  /** The most environments at once (the function's concurrency here). */
  maxEnvironments: number;
  /** Where the function's own output goes: this process's stdout (a server's log), its stderr (`npm run invoke`), or nowhere. */
  output: 'stdout' | 'stderr' | 'ignore';
  /** The platform's lines (START, END, REPORT, timeouts), as Lambda writes them to the function's log. */
  log?: (line: string) => void;
  /** How long an init may take: Lambda's 10 s unless given. */
  initTimeoutMs?: number;
};

/** What Lambda's REPORT line says of one invocation. */
export type InvocationReport = {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  /** The environment's peak resident memory so far (undefined where /proc is not there). */
  maxMemoryUsedMb: number | undefined;
  /** On a cold start: how long the environment's init took. */
  initDurationMs?: number;
};

export type HostedInvocation = { outcome: InvocationOutcome; report: InvocationReport };

/** A function error as a caller of Lambda sees it: the error document the runtime posted, its errorType. */
export class FunctionError extends Error {
  override name = 'FunctionError';
  readonly errorType: string;
  /** The error document as the runtime posted it. */
  readonly payload: string;
  constructor(errorType: string, payload: string) {
    super(`${errorType}: ${messageOf(payload)}`);
    this.errorType = errorType;
    this.payload = payload;
  }
}

type Environment = { api: RuntimeApi; child: ChildProcess; exited: Promise<string>; initDurationMs: number; used: boolean };
type Started = { environment: Environment } | { initFailure: InvocationOutcome; initDurationMs: number };

export function startFunctionHost(fn: HostedFunction) {
  const ricEntry = runtimeClientEntry();
  const idle: Environment[] = [];
  const running = new Set<Environment>();
  let starting = 0;
  const waiting: Array<() => void> = [];
  /** Every runtime process not yet exited, those still in their init included: stop() ends them all. */
  const processes = new Map<ChildProcess, Promise<string>>();
  let stopped = false;

  /** Lambda's variables for the function, then its own: only these reach the runtime (not this process's). */
  const environment: Record<string, string> = {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    ...fn.environment,
    _HANDLER: fn.handler,
    LAMBDA_TASK_ROOT: fn.taskRoot,
    LAMBDA_RUNTIME_DIR: dirname(ricEntry),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    ...(fn.logFormat ? { AWS_LAMBDA_LOG_FORMAT: fn.logFormat } : {}),
    ...(fn.logFormat === 'JSON' && fn.applicationLogLevel ? { AWS_LAMBDA_LOG_LEVEL: fn.applicationLogLevel } : {}),
  };
  // Lambda's Node.js bootstrap: a tenth of the memory for the young generation, the rest for the old.
  const newSpaceMb = Math.floor(fn.memorySizeMb / 10);
  const nodeArguments = ['--expose-gc', '--max-http-header-size', '81920', `--max-semi-space-size=${Math.floor(newSpaceMb / 2)}`, `--max-old-space-size=${fn.memorySizeMb - newSpaceMb}`, ricEntry];
  const timeoutMs = fn.timeoutSeconds * 1000;
  const initTimeoutMs = fn.initTimeoutMs ?? INIT_TIMEOUT_MS;
  const functionArn = `arn:aws:lambda:${fn.region}:000000000000:function:${fn.name}`;
  const output = fn.output === 'ignore' ? 'ignore' : fn.output === 'stderr' ? 2 : 1;

  /** A new environment, through its init phase: its runtime has asked for its first invocation, or init failed. */
  async function startEnvironment(): Promise<Started> {
    const api = await startRuntimeApi();
    if (stopped) {
      await api.close();
      throw new Error(`${fn.name}: the function host is stopped`);
    }
    const began = performance.now();
    const child = spawn(process.execPath, nodeArguments, {
      cwd: fn.taskRoot,
      env: { ...environment, AWS_LAMBDA_RUNTIME_API: api.address, AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${randomUUID().replaceAll('-', '')}` },
      stdio: ['ignore', output, output],
    });
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ? `signal: ${signal}` : `exit status ${code}`)));
    processes.set(child, exited);
    void exited.then(() => processes.delete(child));
    child.once('error', () => {});
    let initTimer: NodeJS.Timeout | undefined;
    const initEnd = await Promise.race([
      api.initialized.then(() => ({ kind: 'ready' as const })),
      api.initFailed.then((error) => ({ kind: 'failed' as const, outcome: { kind: 'error' as const, ...error } })),
      exited.then((status) => ({ kind: 'failed' as const, outcome: platformError('Runtime.ExitError', `Runtime exited with error: ${status}`) })),
      new Promise<{ kind: 'failed'; outcome: InvocationOutcome }>((resolve) => {
        initTimer = setTimeout(() => resolve({ kind: 'failed', outcome: platformError('Sandbox.Timedout', `Init timed out after ${(initTimeoutMs / 1000).toFixed(2)} seconds`) }), initTimeoutMs);
      }),
    ]);
    clearTimeout(initTimer);
    const initDurationMs = performance.now() - began;
    if (initEnd.kind === 'failed') {
      await discard({ api, child, exited, initDurationMs, used: true });
      return { initFailure: initEnd.outcome, initDurationMs };
    }
    const started: Environment = { api, child, exited, initDurationMs, used: false };
    if (stopped) {
      await discard(started);
      throw new Error(`${fn.name}: the function host is stopped`);
    }
    running.add(started);
    // A runtime that dies while idle is gone; the next invocation starts a new one.
    void exited.then(() => {
      const index = idle.indexOf(started);
      if (index >= 0) idle.splice(index, 1);
      if (running.delete(started)) void started.api.close();
      waiting.shift()?.();
    });
    return { environment: started };
  }

  async function discard(environment: Environment) {
    running.delete(environment);
    if (environment.child.exitCode === null && environment.child.signalCode === null) environment.child.kill('SIGKILL');
    await environment.exited;
    await environment.api.close();
    waiting.shift()?.();
  }

  /** An idle environment, else a new one while under the limit, else the first one freed. */
  async function acquire(): Promise<Started> {
    for (;;) {
      if (stopped) throw new Error(`${fn.name}: the function host is stopped`);
      const free = idle.pop();
      if (free) return { environment: free };
      if (running.size + starting < fn.maxEnvironments) {
        starting++;
        try {
          return await startEnvironment();
        } finally {
          starting--;
        }
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  }

  function release(environment: Environment) {
    if (stopped || !running.has(environment)) return;
    idle.push(environment);
    waiting.shift()?.();
  }

  async function invoke(event: unknown, options: { traceId?: string } = {}): Promise<HostedInvocation> {
    const requestId = randomUUID();
    fn.log?.(`START RequestId: ${requestId} Version: $LATEST`);
    const acquired = await acquire();
    if ('initFailure' in acquired) {
      // An on-demand function whose init failed answers its invocation with the init error.
      return finish(requestId, acquired.initFailure, { durationMs: 0, initDurationMs: acquired.initDurationMs, maxMemoryUsedMb: undefined });
    }
    const { environment } = acquired;
    const cold = !environment.used;
    environment.used = true;
    const began = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      environment.api.invoke({
        requestId,
        deadlineMs: Date.now() + timeoutMs,
        invokedFunctionArn: functionArn,
        payload: JSON.stringify(event ?? null),
        ...(options.traceId ? { traceId: options.traceId } : {}),
      }),
      environment.exited.then((status) => ({ ...platformError('Runtime.ExitError', `RequestId: ${requestId} Error: Runtime exited with error: ${status}`), ended: true })),
      new Promise<ReturnType<typeof platformError> & { ended: true }>((resolve) => {
        timer = setTimeout(
          () => resolve({ ...platformError('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`), ended: true }),
          timeoutMs,
        );
      }),
    ]);
    clearTimeout(timer);
    const durationMs = performance.now() - began;
    const maxMemoryUsedMb = peakMemoryMb(environment.child.pid);
    if ('ended' in outcome) {
      // The environment that timed out or died is not used again (Lambda resets it): the next invocation is a cold start.
      environment.api.abandon();
      if (outcome.errorType === 'Sandbox.Timedout') fn.log?.(`${new Date().toISOString()} ${requestId} Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`);
      await discard(environment);
    } else {
      release(environment);
    }
    const { kind, payload } = outcome;
    return finish(requestId, kind === 'response' ? { kind, payload } : { kind, errorType: outcome.errorType, payload }, {
      durationMs,
      maxMemoryUsedMb,
      ...(cold ? { initDurationMs: environment.initDurationMs } : {}),
    });
  }

  function finish(requestId: string, outcome: InvocationOutcome, measured: { durationMs: number; maxMemoryUsedMb: number | undefined; initDurationMs?: number }): HostedInvocation {
    const report: InvocationReport = { requestId, billedDurationMs: Math.ceil(measured.durationMs), memorySizeMb: fn.memorySizeMb, ...measured };
    fn.log?.(`END RequestId: ${requestId}`);
    fn.log?.(reportLine(report));
    return { outcome, report };
  }

  return {
    invoke,
    /** Starts one environment ahead of the first invocation; rejects with the init error if its init fails. */
    prewarm: async () => {
      const started = await acquire();
      if ('initFailure' in started) throw new FunctionError(started.initFailure.kind === 'error' ? started.initFailure.errorType : 'Unhandled', started.initFailure.payload);
      release(started.environment);
    },
    /** The function as an in-process caller (the HTTP API emulator, an event source) calls it: its result, or a FunctionError. */
    call: async (event: unknown): Promise<unknown> => {
      const { outcome } = await invoke(event);
      if (outcome.kind === 'error') throw new FunctionError(outcome.errorType, outcome.payload);
      return JSON.parse(outcome.payload);
    },
    stop: async () => {
      stopped = true;
      for (const resume of waiting.splice(0)) resume();
      idle.length = 0;
      await Promise.all([...running].map(discard));
      for (const child of processes.keys()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(processes.values());
    },
  };
}

export type FunctionHost = ReturnType<typeof startFunctionHost>;

/** Lambda's REPORT line. */
export function reportLine(report: InvocationReport): string {
  return [
    `REPORT RequestId: ${report.requestId}`,
    `Duration: ${report.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${report.billedDurationMs} ms`,
    `Memory Size: ${report.memorySizeMb} MB`,
    `Max Memory Used: ${report.maxMemoryUsedMb ?? '-'} MB`,
    ...(report.initDurationMs !== undefined ? [`Init Duration: ${report.initDurationMs.toFixed(2)} ms`] : []),
  ].join('\t');
}

/** An error Lambda itself reports (not the function's code): errorType and errorMessage only. */
function platformError(errorType: string, errorMessage: string): InvocationOutcome & { kind: 'error' } {
  return { kind: 'error', errorType, payload: JSON.stringify({ errorType, errorMessage }) };
}

function messageOf(payload: string): string {
  try {
    const message = (JSON.parse(payload) as { errorMessage?: unknown }).errorMessage;
    return typeof message === 'string' ? message : payload;
  } catch {
    return payload;
  }
}

/** The process's peak resident set (VmHWM), in MB, from /proc (Linux). */
function peakMemoryMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
    return match ? Math.ceil(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
