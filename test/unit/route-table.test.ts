import { describe, expect, it } from '@jest/globals';
import { corsPolicyOf, routeList, routeTableProblems, type RouteDefinition } from '../../shared/contracts/routes.ts';
import { openApiDocument } from '../../shared/contracts/openapi.ts';

/** The route table is the one source of every route's contract: what it must hold, and what is derived from it. */
const base = {
  functionName: 'f',
  scope: 'read',
  idempotent: false,
  dynamodbActions: [],
  summary: 's',
  successOutcome: 'ok',
  response: { description: 'd', data: {} },
  example: { input: {} },
} as const;
const route = (overrides: Partial<RouteDefinition> & Pick<RouteDefinition, 'method' | 'path' | 'input'>) => ({ ...base, name: 'r', ...overrides }) as RouteDefinition & { name: string };
const object = (properties: Record<string, unknown>) => ({ type: 'object', properties }) as const;

describe('the route table', () => {
  it('holds together as it is', () => {
    expect(routeTableProblems(routeList)).toEqual([]);
  });

  it.each([
    ['a path parameter not declared in input.path', route({ method: 'GET', path: '/x/{id}', input: {} }), 'must declare exactly the path parameters ["id"]'],
    ['a declared path field the path does not have', route({ method: 'GET', path: '/x', input: { path: object({ id: {} }) } }), 'must declare exactly'],
    ['a body on a GET', route({ method: 'GET', path: '/x', input: { body: object({}) } }), 'a GET has no body'],
    ['one field in two locations', route({ method: 'PATCH', path: '/x/{id}', input: { path: object({ id: {} }), body: object({ id: {} }) } }), 'field id is in both path and body'],
    ['a header in mixed case', route({ method: 'PATCH', path: '/x', input: { headers: object({ 'If-Match': {} }) } }), 'must be declared in lower case'],
  ])('refuses %s', (_name, bad, problem) => {
    expect(routeTableProblems([bad]).join('\n')).toContain(problem);
  });

  it('refuses an example that names unknown fields or routes, or runs in a cycle', () => {
    const a = { ...route({ method: 'GET', path: '/a', input: { query: object({ q: {} }) } }), name: 'a', example: { after: 'b', input: { q: 1, nope: 2 } } };
    const b = { ...route({ method: 'GET', path: '/b', input: {} }), name: 'b', example: { after: 'a', input: {} } };
    const problems = routeTableProblems([a, b]).join('\n');
    expect(problems).toContain("the example's field nope is not a path, query or body field");
    expect(problems).toContain('in a cycle');
    expect(routeTableProblems([{ ...a, example: { after: 'ghost', input: {} } }]).join('\n')).toContain('which is no route');
  });

  it('refuses one method and path declared twice', () => {
    expect(routeTableProblems([route({ method: 'GET', path: '/x', input: {} }), route({ method: 'GET', path: '/x', input: {} })])).toEqual(['GET /x is declared twice']);
  });
});

describe('derived from the table', () => {
  it('CORS allows every method and every request header the routes use', () => {
    const cors = corsPolicyOf([route({ method: 'PATCH', path: '/a', input: { headers: object({ 'if-match': {} }) } }), { ...route({ method: 'POST', path: '/b', input: {} }), idempotent: true }]);
    expect(cors.allowMethods).toEqual(['POST', 'PATCH']);
    expect(cors.allowHeaders).toEqual(['authorization', 'content-type', 'if-match', 'idempotency-key']);
    expect(corsPolicyOf(routeList).allowMethods).toEqual(expect.arrayContaining([...new Set(routeList.map((r) => r.method))]));
  });

  it('OpenAPI declares path parameters in the path, query fields in the query, bodies as request bodies', () => {
    const operation = (openApiDocument.paths as any)['/webhooks/{id}'].delete;
    expect(operation.parameters.map((p: { name: string; in: string; required: boolean }) => [p.name, p.in, p.required])).toEqual([
      ['id', 'path', true],
      ['workspace_id', 'query', true],
    ]);
    expect(operation.requestBody).toBeUndefined();
    const start = (openApiDocument.paths as any)['/time-tracking/start'].post;
    expect(start.parameters.map((p: { name: string }) => p.name)).toEqual(['Idempotency-Key']);
    expect(start.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/StartTimeTrackingBody' });
  });
});
