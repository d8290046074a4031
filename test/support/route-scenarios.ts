import { EXAMPLE_OWNER, exampleCallerOf, routeList, type Route, type RouteExample } from '../../shared/contracts/routes.ts';
import type { Handlers } from './handlers.ts';

/**
 * Every route's example (the route table) as a scenario the route-driven tests run: its
 * `after` routes' examples first (a tracker to stop, a webhook to delete), then its own
 * input, with the fields the example takes from the `after` answer or from today's date
 * filled in. Each runs as user 100, the owner of workspace 1 in both the demo seed and the
 * test seed. A new route is covered by its example; no test names it.
 */
export const EXAMPLE_CALLER = EXAMPLE_OWNER;

const today = () => new Date().toISOString().slice(0, 10);
const hourAgo = () => new Date(Date.now() - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const at = (value: unknown, path: string) => path.split('.').reduce<unknown>((inner, key) => (inner as Record<string, unknown> | undefined)?.[key], value);

/** The example's input as it runs live: its fixture values, with `fromAfter`, `today` and `hourAgo` fields filled in. */
export function liveInput(example: RouteExample, afterAnswer: unknown): Record<string, unknown> {
  const input: Record<string, unknown> = { ...example.input };
  for (const [field, path] of Object.entries(example.fromAfter ?? {})) {
    const value = at(afterAnswer, path);
    if (value === undefined) throw new Error(`the example's ${field} comes from ${path} of the answer of ${example.after}, which has none: ${JSON.stringify(afterAnswer)}`);
    input[field] = value;
  }
  for (const field of example.today ?? []) input[field] = today();
  for (const field of example.hourAgo ?? []) input[field] = hourAgo();
  return input;
}

const byName = (name: string) => routeList.find((route) => route.name === name)!;

/** Runs the examples this route's example runs after; resolves with its live input. */
export async function arrangeExample(api: Handlers, route: Route): Promise<Record<string, unknown>> {
  const example: RouteExample = route.example;
  if (!example.after) return liveInput(example, undefined);
  const after = byName(example.after);
  const response = await api.byRoute[after.name](await arrangeExample(api, after), { caller: exampleCallerOf(after) });
  if (response.status >= 300) throw new Error(`the example of ${after.name} (run before ${route.name}) failed: ${response.status} ${JSON.stringify(response.body)}`);
  return liveInput(example, response.body);
}
