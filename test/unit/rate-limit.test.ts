import * as startValidators from '../../shared/contracts/generated/validators/startTimeTracking.js';
import { describe, expect, it } from '@jest/globals';
import { routes } from '../../shared/contracts/routes.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import type { IdempotencyStore } from '../../shared/ports/idempotency-store.ts';
import type { RateLimiter, RateLimitState } from '../../shared/ports/rate-limiter.ts';
import type { TrackingRepository, WorkspaceContext } from '../../shared/tracking/ports.ts';
import { defaultWorkspaceSettings } from '../../shared/tracking/workspace-settings.ts';
import { httpEvent, lambdaContext, parse } from '../support/http-events.ts';

/**
 * The rate limit in the handler chain, with a counter we control: the counter runs
 * alongside the first read, an over-limit request runs nothing else, headers on every
 * counted answer, and a failing counter lets requests through.
 */
const events: string[] = [];
const state = (count: number, limit = 2): RateLimitState => ({ limit, remaining: Math.max(0, limit - count), resetSeconds: 42, limited: count > limit });

function limiter(answer: () => Promise<RateLimitState>): RateLimiter {
  return {
    hit: async () => {
      events.push('counter:start');
      try {
        return await answer();
      } finally {
        events.push('counter:end');
      }
    },
  };
}

const emptyContext: WorkspaceContext = {
  actor: { workspaceId: 1, userId: 100, role: 'owner', status: 'active' },
  target: { workspaceId: 1, userId: 101, role: 'regular_user', status: 'active' },
  contract: undefined,
  task: undefined,
  tracker: undefined,
  timeline: [],
  entry: undefined,
  dayCounts: {},
  settings: defaultWorkspaceSettings(1),
  archivedProjects: new Set(),
};
const repository: TrackingRepository = {
  loadContext: async () => {
    events.push('read:start');
    await new Promise((resolve) => setTimeout(resolve, 5));
    events.push('read:end');
    return emptyContext;
  },
  createActiveTracker: async () => {
    events.push('write');
    return { created: true };
  },
  stopTracker: async () => 'gone',
  writeTimeEntry: async () => 'conflict',
  listTimeEntries: async () => [],
  timeEntryHistory: async () => ({ versions: [], nextCursor: null }),
  listActiveTrackers: async () => [],
  writeWorkspaceSettings: async () => 'conflict',
};
const noIdempotency = { claim: async () => ({ claimed: true }), complete: async () => {}, release: async () => {} } as unknown as IdempotencyStore;

function startWith(rateLimiter: RateLimiter) {
  const handler = createHttpHandler(routes.startTimeTracking, {
    adapters: { repository, idempotencyStore: noIdempotency, rateLimiter },
    validators: startValidators,
    assertMayReplay: async () => {},
    run: async (body, { repository: admitted, now }) => {
      await admitted.loadContext({ workspaceId: body.workspace_id, actorUserId: 100, targetUserId: body.user_id });
      await admitted.createActiveTracker({} as never, [], '2026-01-01');
      return { data: { start_time: now.toISOString(), workspace_id: 1, user_id: 101, contract_id: null, project_id: null, task_id: null, activity_description: null, auto_stop_at: null } };
    },
  });
  return async (body: unknown) => {
    events.length = 0;
    return parse(await handler(httpEvent({ path: routes.startTimeTracking.path, body }), lambdaContext()));
  };
}

describe('the per-user rate limit', () => {
  it('runs the counter alongside the first read, and tells the caller where it stands', async () => {
    const start = startWith(limiter(async () => (await new Promise((resolve) => setTimeout(resolve, 5)), state(1))));
    const response = await start({ workspace_id: 1, user_id: 101 });
    expect(response.status).toBe(200);
    expect(events.indexOf('read:start')).toBeLessThan(events.indexOf('counter:end'));
    expect(events.at(-1)).toBe('write');
    expect(response.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '1', 'ratelimit-reset': '42' });
  });

  it('over the limit: 429 with Retry-After in the envelope, and no write', async () => {
    const response = await startWith(limiter(async () => state(3)))({ workspace_id: 1, user_id: 101 });
    expect(response.status).toBe(429);
    expect(response.headers).toMatchObject({ 'retry-after': '42', 'ratelimit-remaining': '0', 'x-content-type-options': 'nosniff' });
    expect(response.body).toEqual({ success: false, message: expect.any(String), error: 'rate_limited', meta: expect.any(Object) });
    expect(events).not.toContain('write');
  });

  it('over the limit, an invalid request is 429 too (the limit comes first)', async () => {
    const response = await startWith(limiter(async () => state(3)))({ workspace_id: 'x' });
    expect(response.status).toBe(429);
    expect(response.body.error).toBe('rate_limited');
  });

  it('a counter that fails lets the request through, without RateLimit headers', async () => {
    const response = await startWith(limiter(async () => Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }))))({ workspace_id: 1, user_id: 101 });
    expect(response.status).toBe(200);
    expect(response.headers['ratelimit-limit']).toBeUndefined();
    expect(events).toContain('write');
  });
});
