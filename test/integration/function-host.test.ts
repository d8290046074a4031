import { afterEach, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { FunctionError, startFunctionHost, type FunctionHost, type HostedFunction } from '../../local/lambda/function-host.ts';
import { descendantsOf, isAlive } from '../support/processes.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * The function host running small handlers under the real `aws-lambda-ric`: how Lambda loads
 * a handler from its `Handler` string, the context and variables it gives, its memory cap,
 * and the three failures as Lambda reports them (a handler that throws, an init error, a
 * timeout), plus a runtime that dies and concurrent invocations.
 */
const HANDLERS = fileURLToPath(new URL('../support/lambda-handlers/', import.meta.url));
const hosts: FunctionHost[] = [];
const platformLines: string[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.stop()));
  platformLines.length = 0;
});

function host(overrides: Partial<HostedFunction> = {}): FunctionHost {
  const started = startFunctionHost({
    name: 'EchoFunction',
    taskRoot: `${HANDLERS}cjs`,
    handler: 'index.handler',
    memorySizeMb: 256,
    timeoutSeconds: 3,
    region: 'eu-west-1',
    environment: { TABLE_NAME: 'echo-table' },
    maxEnvironments: 2,
    // The failures these tests cause would fill the run's log.
    output: 'ignore',
    log: (line) => platformLines.push(line),
    ...overrides,
  });
  hosts.push(started);
  return started;
}
const errorOf = (payload: string) => JSON.parse(payload) as { errorType: string; errorMessage: string; trace?: string[] };

describe('the function host on aws-lambda-ric', () => {
  it('runs a CommonJS handler by its Handler string with Lambda’s context, its variables only, and a heap capped to its memory', async () => {
    process.env.HOST_ONLY_SECRET = 'must not reach the function';
    try {
      const echo = host();
      const { outcome, report } = await echo.invoke({ hello: 'world' });
      expect(outcome.kind).toBe('response');
      const answer = JSON.parse(outcome.payload);
      expect(answer).toMatchObject({
        requestId: report.requestId,
        functionName: 'EchoFunction',
        memoryLimitInMB: '256',
        invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:EchoFunction',
        event: { hello: 'world' },
      });
      expect(answer.remainingMs).toBeGreaterThan(2000);
      expect(answer.remainingMs).toBeLessThanOrEqual(3000);
      expect(answer.environment).toMatchObject({
        TABLE_NAME: 'echo-table',
        _HANDLER: 'index.handler',
        LAMBDA_TASK_ROOT: `${HANDLERS}cjs`,
        AWS_LAMBDA_FUNCTION_NAME: 'EchoFunction',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_REGION: 'eu-west-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        TZ: ':UTC',
      });
      expect(answer.environment.HOST_ONLY_SECRET).toBeUndefined();
      // Lambda's bootstrap gives the old generation nine tenths of the memory, the young one the rest.
      expect(answer.heapLimitMb).toBeGreaterThan(200);
      expect(answer.heapLimitMb).toBeLessThan(300); // (the heap limit counts the young generation too; unlimited it would be gigabytes)
      // The first invocation of an environment carries its init; the next one reuses it.
      expect(report.initDurationMs).toBeGreaterThan(0);
      expect(report.billedDurationMs).toBe(Math.ceil(report.durationMs));
      expect(report.maxMemoryUsedMb).toBeGreaterThan(10);
      const again = await echo.invoke({});
      expect(again.report.initDurationMs).toBeUndefined();
      expect(JSON.parse(again.outcome.payload).pid).toBe(answer.pid);
      expect(platformLines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^REPORT RequestId: ${report.requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms$`,
          ),
        ),
      );
      expect(platformLines[0]).toBe(`START RequestId: ${report.requestId} Version: $LATEST`);
    } finally {
      delete process.env.HOST_ONLY_SECRET;
    }
  });

  it('runs an ES module handler named by a nested path', async () => {
    const { outcome } = await host({ taskRoot: `${HANDLERS}esm`, handler: 'app.handlers.greet' }).invoke({ name: 'Ada' });
    expect(outcome).toEqual({ kind: 'response', payload: '{"greeting":"hello Ada"}' });
  });

  it('answers a handler that throws with the errorType, errorMessage and trace Lambda returns, and keeps the environment', async () => {
    const echo = host();
    const { outcome } = await echo.invoke({ throw: 'bad input' });
    expect(outcome).toMatchObject({ kind: 'error', errorType: 'TypeError' });
    const error = errorOf(outcome.payload);
    expect(error).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
    expect(error.trace?.[0]).toBe('TypeError: bad input');
    expect(error.trace?.[1]).toContain(`${HANDLERS}cjs/index.js`);
    await expect(echo.call({ throw: 'again' })).rejects.toThrow(new FunctionError('TypeError', JSON.stringify({ errorType: 'TypeError', errorMessage: 'again' })).message);
    expect((await echo.invoke({})).report.initDurationMs).toBeUndefined();
  });

  it('answers an invocation whose init failed with the init error, and refuses to prewarm it', async () => {
    const broken = host({ taskRoot: `${HANDLERS}init-error` });
    const { outcome, report } = await broken.invoke({});
    expect(outcome).toMatchObject({ kind: 'error', errorType: 'Error' });
    expect(errorOf(outcome.payload)).toMatchObject({ errorType: 'Error', errorMessage: 'TABLE_NAME is required' });
    expect(report.initDurationMs).toBeGreaterThan(0);
    await expect(broken.prewarm()).rejects.toThrow('Error: TABLE_NAME is required');
    const missing = await host({ handler: 'index.nowhere' }).invoke({});
    expect(errorOf(missing.outcome.payload)).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.nowhere is undefined or not exported' });
    const noModule = await host({ handler: 'absent.handler' }).invoke({});
    expect(noModule.outcome).toMatchObject({ kind: 'error', errorType: 'Runtime.ImportModuleError' });
  });

  it('ends an invocation at its timeout as Lambda does, and starts the next one in a new environment', async () => {
    const slow = host({ timeoutSeconds: 1 });
    const first = JSON.parse((await slow.invoke({})).outcome.payload);
    const timedOut = await slow.invoke({ sleepMs: 5000 });
    expect(timedOut.report.durationMs).toBeGreaterThanOrEqual(1000);
    expect(timedOut.report.durationMs).toBeLessThan(2000);
    expect(timedOut.outcome).toEqual({
      kind: 'error',
      errorType: 'Sandbox.Timedout',
      payload: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${timedOut.report.requestId} Error: Task timed out after 1.00 seconds` }),
    });
    expect(platformLines).toContainEqual(expect.stringMatching(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${timedOut.report.requestId} Task timed out after 1.00 seconds$`)));
    const next = await slow.invoke({});
    expect(next.report.initDurationMs).toBeGreaterThan(0);
    expect(JSON.parse(next.outcome.payload).pid).not.toBe(first.pid);
  });

  it('ends an init that does not finish in time, answering Sandbox.Timedout for it', async () => {
    const before = new Set(descendantsOf(process.pid));
    const { outcome, report } = await host({ taskRoot: `${HANDLERS}slow-init`, handler: 'index.handler', initTimeoutMs: 500 }).invoke({});
    expect(outcome).toEqual({ kind: 'error', errorType: 'Sandbox.Timedout', payload: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: 'Init timed out after 0.50 seconds' }) });
    expect(report.initDurationMs).toBeGreaterThanOrEqual(500);
    expect(report.initDurationMs).toBeLessThan(2000);
    expect(descendantsOf(process.pid).filter((pid) => !before.has(pid) && isAlive(pid))).toEqual([]);
  });

  it('answers Runtime.ExitError when the runtime dies during an invocation', async () => {
    const { outcome, report } = await host().invoke({ exitCode: 3 });
    expect(outcome).toEqual({
      kind: 'error',
      errorType: 'Runtime.ExitError',
      payload: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${report.requestId} Error: Runtime exited with error: exit status 3` }),
    });
  });

  it('runs concurrent invocations in as many environments as it may, and queues the rest', async () => {
    const pidsOf = async (fn: FunctionHost) => (await Promise.all([1, 2, 3].map(() => fn.invoke({ sleepMs: 300 })))).map((result) => JSON.parse(result.outcome.payload).pid as number);
    await host({ maxEnvironments: 2 }).prewarm();
    expect(new Set(await pidsOf(hosts[0]!)).size).toBe(2);
    const single = host({ maxEnvironments: 1 });
    const started = performance.now();
    expect(new Set(await pidsOf(single)).size).toBe(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('stops every environment it started, one still in its init and one mid-invocation included', async () => {
    const before = new Set(descendantsOf(process.pid));
    const fn = host({ maxEnvironments: 3 });
    await fn.prewarm();
    const busy = fn.invoke({ sleepMs: 10_000 });
    const initializing = fn.prewarm().catch((error: Error) => error);
    // Both runtimes exist (the second one spawned once its Runtime API listens), the second usually still in its init.
    await waitFor(() => (descendantsOf(process.pid).filter((pid) => !before.has(pid) && isAlive(pid)).length >= 2 ? true : undefined));
    await fn.stop();
    // (The `ps` that lists them is a child too, gone by the time it is checked.)
    expect(descendantsOf(process.pid).filter((pid) => !before.has(pid) && isAlive(pid))).toEqual([]);
    expect((await busy).outcome).toMatchObject({ kind: 'error', errorType: 'Runtime.ExitError' });
    expect(await initializing).toBeInstanceOf(Error);
  });
});
