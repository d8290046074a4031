/**
 * One Lambda function of `npm run start:template`, in its own process, as a Lambda
 * execution environment would run it: only the function's environment, its bundle from the
 * template's asset imported once (the cold start), then one invocation at a time over IPC.
 * It exits when the runtime that started it goes away.
 *
 *   node function-worker.ts <bundle file> <export name> <function name>
 */
import { pathToFileURL } from 'node:url';
import { lambdaContext } from '../http-api-emulator.ts';

const [bundleFile, exportName, functionName] = process.argv.slice(2) as [string, string, string];
type Invocation = { id: number; event: unknown; remainingMs: number };

process.on('disconnect', () => process.exit(0));

let handler: (event: unknown, context: unknown) => Promise<unknown>;
try {
  handler = (await import(pathToFileURL(bundleFile).href))[exportName];
  if (typeof handler !== 'function') throw new Error(`${bundleFile} has no export "${exportName}"`);
} catch (error) {
  process.send!({ type: 'init-error', message: (error as Error).message });
  process.exit(1);
}
process.send!({ type: 'ready' });

process.on('message', async ({ id, event, remainingMs }: Invocation) => {
  const deadline = Date.now() + remainingMs;
  const context = { ...lambdaContext(functionName, deadline), memoryLimitInMB: '512' };
  try {
    process.send!({ id, ok: true, result: await handler(event, context) });
  } catch (error) {
    process.send!({ id, ok: false, error: { name: (error as Error)?.name, message: (error as Error)?.message } });
  }
});
