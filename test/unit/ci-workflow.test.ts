import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The workflow a fork runs is the project's CI (.ci/run) and the example's synth, on the Node the project pins. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const workflow = parse(readFileSync(`${ROOT}.github/workflows/ci.yml`, 'utf8')) as {
  on: Record<string, unknown>;
  jobs: Record<string, { steps: Array<{ uses?: string; run?: string; with?: Record<string, string> }> }>;
};
const runs = (job: string) => workflow.jobs[job]!.steps.flatMap((step) => (step.run ? [step.run.trim()] : []));
const uses = (job: string, action: string) => workflow.jobs[job]!.steps.find((step) => step.uses?.startsWith(`${action}@`));

describe('.github/workflows/ci.yml', () => {
  it('runs on pushes and pull requests', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
  });

  it('tests by running exactly .ci/run, with the pinned Node, an npm cache and Java 17', () => {
    expect(runs('test')).toEqual(['bash .ci/run']);
    expect(uses('test', 'actions/checkout')).toBeDefined();
    expect(uses('test', 'actions/setup-node')?.with).toEqual({ 'node-version-file': '.nvmrc', cache: 'npm' });
    expect(uses('test', 'actions/setup-java')?.with).toMatchObject({ 'java-version': '17' });
  });

  it('synthesizes the embedding example in a second job', () => {
    expect(runs('example')).toEqual(['npm ci', 'npm run synth:example']);
    expect(JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).scripts['synth:example']).toContain('cd examples/embed && cdk synth');
  });

  it('.nvmrc names the Node the project installs and runs (the node devDependency)', () => {
    const pinned = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).devDependencies.node;
    expect(readFileSync(`${ROOT}.nvmrc`, 'utf8').trim()).toBe(pinned);
  });
});
