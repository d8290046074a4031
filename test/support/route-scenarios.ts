import type { RouteName } from '../../shared/contracts/routes.ts';
import { users, WS } from './fixtures.ts';
import type { Handlers } from './handlers.ts';

/**
 * For every route of the table, how to make one call of it succeed on the test seed
 * (test/support/fixtures.ts): what to put in place first, and the call's input (flat: the
 * callers put each field where the route reads it). The type names every route, so a new
 * route does not typecheck until it has its scenario, and every suite built on these
 * (the fault on every DynamoDB call) covers it at once.
 */
export type RouteScenario = {
  arrange: (api: Handlers) => Promise<Record<string, unknown>>;
};

const member = { workspace_id: WS, user_id: users.member };
const today = () => new Date().toISOString().slice(0, 10);

async function expectOk(call: Promise<{ status: number; body: unknown }>) {
  const response = await call;
  if (response.status >= 300) throw new Error(`scenario setup failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { data: Record<string, any> };
}

async function createdWebhook(api: Handlers) {
  const body = await expectOk(api.byRoute.createWebhook({ workspace_id: WS, url: 'https://hooks.example.com/scenario', events: ['tracker.started'] }, { caller: users.owner }));
  return String(body.data.id);
}

export const routeScenarios: { [N in RouteName]: RouteScenario } = {
  startTimeTracking: { arrange: async () => ({ ...member, contract_id: 20, task_id: 5, activity_description: 'scenario' }) },
  stopTimeTracking: {
    arrange: async (api) => {
      await expectOk(api.start(member, { caller: users.owner }));
      return member;
    },
  },
  currentTracker: {
    arrange: async (api) => {
      await expectOk(api.start(member, { caller: users.owner }));
      return member;
    },
  },
  listTimeEntries: {
    arrange: async (api) => {
      await expectOk(api.start(member, { caller: users.owner }));
      await expectOk(api.stop(member, { caller: users.owner }));
      return { ...member, date: today() };
    },
  },
  createWebhook: { arrange: async () => ({ workspace_id: WS, url: 'https://hooks.example.com/x', events: ['tracker.started', 'tracker.stopped'] }) },
  listWebhooks: {
    arrange: async (api) => {
      await createdWebhook(api);
      return { workspace_id: WS };
    },
  },
  deleteWebhook: { arrange: async (api) => ({ workspace_id: WS, id: await createdWebhook(api) }) },
};
