import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicRoutes } from '../../shared/contracts/public-routes.ts';
import { routeKey, routeList } from '../../shared/contracts/routes.ts';
import { HTTP_CHAIN_STAGES } from '../../shared/http/create-http-handler.ts';
import { AUTHORIZER_OUTCOMES, METRIC, REQUEST_OUTCOMES, WEBHOOK_ATTEMPT_OUTCOMES } from '../../shared/observability/metric-names.ts';

/** The docs say what the code does: every error code, metric and outcome, the chain, the idempotent routes. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const filesUnder = (folder: string): string[] =>
  readdirSync(join(ROOT, folder)).flatMap((name) => {
    const path = `${folder}/${name}`;
    return statSync(join(ROOT, path)).isDirectory() ? (name === 'generated' ? [] : filesUnder(path)) : path.endsWith('.ts') ? [path] : [];
  });
const docs = readdirSync(join(ROOT, 'docs'))
  .map((name) => read(`docs/${name}`))
  .join('\n');

describe('docs/ agree with the code', () => {
  it('names every error code the code can answer', () => {
    const codes = new Set<string>();
    for (const file of [...filesUnder('shared'), ...filesUnder('functions')]) {
      for (const match of read(file).matchAll(/(?:\bcode = |errorCode = |\bcode: )'([a-z_]+)'/g)) codes.add(match[1]!);
    }
    expect(codes.size).toBeGreaterThan(8);
    expect([...codes].filter((code) => !docs.includes(`\`${code}\``))).toEqual([]);
  });

  it('lists every route of the table, and the public ones, in the README, as `METHOD /path`', () => {
    const readme = read('README.md');
    expect([...routeList, ...publicRoutes].map((route) => `\`${route.method} ${route.path}\``).filter((route) => !readme.includes(route))).toEqual([]);
  });

  it('keeps the README a landing page (at most 200 lines): the rest is in docs/', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(200);
  });

  it('names every metric and every outcome in docs/operations.md', () => {
    const operations = read('docs/operations.md');
    const outcomes = [...routeList.map((route) => route.successOutcome), ...REQUEST_OUTCOMES, ...AUTHORIZER_OUTCOMES, ...WEBHOOK_ATTEMPT_OUTCOMES];
    expect(Object.values(METRIC).filter((name) => !operations.includes(`\`${name}\``))).toEqual([]);
    expect(outcomes.filter((outcome) => !operations.includes(`\`${outcome}\``))).toEqual([]);
  });

  it('lists the handler chain of docs/architecture.md exactly as the code builds it', () => {
    const section = read('docs/architecture.md').split('## The handler chain')[1]!.split('\n## ')[0]!;
    const listed = [...section.matchAll(/^\d+\. ([^(\n]+?)(?: \(|$)/gm)].map((match) => match[1]!.trim());
    expect(listed).toEqual([...HTTP_CHAIN_STAGES]);
  });

  it('lists in docs/contract.md every route that takes an Idempotency-Key, and no other', () => {
    const section = read('docs/contract.md').split('## Idempotency-Key')[1]!.split('\n## ')[0]!;
    const named = routeList.filter((route) => section.includes(`\`${routeKey(route)}\``));
    expect(named.map(routeKey).sort()).toEqual(
      routeList
        .filter((route) => route.idempotent)
        .map(routeKey)
        .sort(),
    );
  });
});
