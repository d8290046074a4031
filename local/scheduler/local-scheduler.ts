import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../listen-on-loopback.ts';

/**
 * EventBridge Scheduler on one machine, for `npm start` and `npm run start:template`: the
 * part of its API the auto-stop schedules use (CreateSchedule, DeleteSchedule, GetSchedule;
 * REST JSON, as the AWS SDK sends it to `AWS_ENDPOINT_URL_SCHEDULER`), and the firing of
 * one-time `at()` schedules in UTC, on time to the millisecond rather than within the
 * minute the service promises. At its time a schedule invokes its target (a function, by
 * ARN) with its input, as the service invokes Lambda: asynchronously, a failed invocation
 * retried twice (Lambda's own retries, their delays multiplied by `timeScale`), then
 * dead-lettered (logged). `ActionAfterCompletion: DELETE` removes it once fired; names are
 * unique per group (409 ConflictException), and a missing one is 404 ResourceNotFoundException.
 */
export type LocalSchedule = { name: string; groupName: string; at: Date; targetArn: string; input: string; actionAfterCompletion: string };

/** What the scheduler reads the time from and waits with: the process's clock, or a test's (which advances it by hand). */
export type SchedulerTimers = { now: () => number; setTimeout: (run: () => void, ms: number) => unknown; clearTimeout: (handle: unknown) => void };
const processTimers: SchedulerTimers = { now: () => Date.now(), setTimeout: (run, ms) => setTimeout(run, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) };

/** Lambda's asynchronous invocation retries a failed event twice, about one and two minutes later. */
const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];

export async function startLocalScheduler(options: { invoke: (targetArn: string, event: unknown) => Promise<unknown>; timeScale: number; log: (line: string) => void; timers?: SchedulerTimers }) {
  const timers = options.timers ?? processTimers;
  const schedules = new Map<string, LocalSchedule & { timer: unknown }>();
  const retryTimers = new Set<unknown>();
  let stopped = false;
  const keyOf = (groupName: string, name: string) => `${groupName}/${name}`;

  const invokeWithRetries = (schedule: LocalSchedule, attempt: number) => {
    let event: unknown;
    try {
      event = JSON.parse(schedule.input);
    } catch {
      event = schedule.input;
    }
    void options.invoke(schedule.targetArn, event).then(
      () => {},
      (error: Error) => {
        const delay = ASYNC_RETRY_DELAYS_MS[attempt];
        if (delay === undefined || stopped) {
          options.log(`auto-stop schedule ${schedule.name} dead-lettered after ${attempt + 1} invocations: ${error.name}: ${error.message}`);
          return;
        }
        const timer = timers.setTimeout(() => {
          retryTimers.delete(timer);
          invokeWithRetries(schedule, attempt + 1);
        }, delay * options.timeScale);
        retryTimers.add(timer);
      },
    );
  };

  const fire = (key: string) => {
    const schedule = schedules.get(key);
    if (!schedule || stopped) return;
    if (schedule.actionAfterCompletion === 'DELETE') schedules.delete(key);
    invokeWithRetries(schedule, 0);
  };

  /** Creates a schedule as CreateSchedule does; 'conflict' when the group already has one of that name. */
  function create(schedule: LocalSchedule): 'created' | 'conflict' {
    const key = keyOf(schedule.groupName, schedule.name);
    if (schedules.has(key)) return 'conflict';
    // setTimeout holds at most 2^31 - 1 ms (24.8 days): far beyond any tracker's limit.
    const timer = timers.setTimeout(() => fire(key), Math.min(Math.max(0, schedule.at.getTime() - timers.now()), 2 ** 31 - 1));
    schedules.set(key, { ...schedule, timer });
    return 'created';
  }

  function remove(groupName: string, name: string): boolean {
    const schedule = schedules.get(keyOf(groupName, name));
    if (!schedule) return false;
    timers.clearTimeout(schedule.timer);
    schedules.delete(keyOf(groupName, name));
    return true;
  }

  const send = (response: ServerResponse, status: number, body: object, errorType?: string) => {
    response.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
    response.end(JSON.stringify(body));
  };

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://local');
    const match = /^\/schedules\/([0-9a-zA-Z\-_.]{1,64})$/.exec(url.pathname);
    if (!match) return send(response, 404, { Message: `no such operation: ${request.method} ${url.pathname}` }, 'ResourceNotFoundException');
    const name = decodeURIComponent(match[1]!);
    if (request.method === 'POST') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
      const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(String(body.ScheduleExpression ?? ''));
      if (!at || (body.ScheduleExpressionTimezone ?? 'UTC') !== 'UTC' || typeof body.Target?.Arn !== 'string') {
        return send(response, 400, { Message: 'only one-time at() schedules in UTC with a target are served here' }, 'ValidationException');
      }
      const groupName = String(body.GroupName ?? 'default');
      const result = create({
        name,
        groupName,
        at: new Date(`${at[1]}Z`),
        targetArn: body.Target.Arn,
        input: String(body.Target.Input ?? '{}'),
        actionAfterCompletion: String(body.ActionAfterCompletion ?? 'NONE'),
      });
      if (result === 'conflict') return send(response, 409, { Message: `Schedule ${name} already exists.` }, 'ConflictException');
      return send(response, 200, { ScheduleArn: `arn:aws:scheduler:local:000000000000:schedule/${groupName}/${name}` });
    }
    const groupName = url.searchParams.get('groupName') ?? 'default';
    if (request.method === 'DELETE') {
      return remove(groupName, name) ? send(response, 200, {}) : send(response, 404, { Message: `Schedule ${name} does not exist.` }, 'ResourceNotFoundException');
    }
    if (request.method === 'GET') {
      const schedule = schedules.get(keyOf(groupName, name));
      if (!schedule) return send(response, 404, { Message: `Schedule ${name} does not exist.` }, 'ResourceNotFoundException');
      return send(response, 200, {
        Name: schedule.name,
        GroupName: schedule.groupName,
        ScheduleExpression: `at(${schedule.at.toISOString().slice(0, 19)})`,
        ScheduleExpressionTimezone: 'UTC',
        ActionAfterCompletion: schedule.actionAfterCompletion,
        State: 'ENABLED',
        Target: { Arn: schedule.targetArn, Input: schedule.input },
      });
    }
    return send(response, 405, { Message: `${request.method} is not served` }, 'ValidationException');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => send(response, 500, { Message: error.message }, 'InternalServerException'));
  });
  const { endpoint, close } = await listenOnLoopback(server);

  return {
    endpoint,
    /** The schedules waiting to fire (for the banner and the tests). */
    pending: () => [...schedules.values()].map(({ timer: _timer, ...schedule }) => schedule),
    stop: async () => {
      stopped = true;
      for (const schedule of schedules.values()) timers.clearTimeout(schedule.timer);
      schedules.clear();
      for (const timer of retryTimers) timers.clearTimeout(timer);
      await close();
    },
  };
}
