/**
 * One checkout's start and stop handlers, warm, in a process of their own (the benchmark
 * runs the working tree's and the reference's side by side, each with the modules and the
 * configuration of its own tree). Asked over IPC for `pairs` start → stop calls of one
 * user, it answers their durations in ms.
 *
 *   node bench/warm-worker.ts <checkout root>     (TABLE_NAME, DYNAMODB_ENDPOINT set)
 */
import { lambdaContext, lambdaEvent } from './lambda-events.ts';
import { pathToFileURL } from 'node:url';

const [root] = process.argv.slice(2) as [string];
type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number; body?: string }>;
const load = async (name: string) => (await import(pathToFileURL(`${root}/functions/${name}/handler.ts`).href)).handler as Handler;
const start = await load('start-time-tracking');
const stop = await load('stop-time-tracking');

const event = (path: string, body: object, caller: number) => lambdaEvent('POST', path, caller, { body });
const context = lambdaContext;

process.on('message', async ({ pairs, workspaceId, managerId, userId }: { pairs: number; workspaceId: number; managerId: number; userId: number }) => {
  const times: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const began = performance.now();
    const started = await start(event('/time-tracking/start', { workspace_id: workspaceId, user_id: userId }, managerId), context());
    const stopped = await stop(event('/time-tracking/stop', { workspace_id: workspaceId, user_id: userId }, managerId), context());
    times.push(performance.now() - began);
    if (started.statusCode !== 200 || stopped.statusCode !== 200) {
      process.send!({ error: `start ${started.statusCode} ${started.body} / stop ${stopped.statusCode} ${stopped.body}` });
      return;
    }
  }
  process.send!({ times });
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
