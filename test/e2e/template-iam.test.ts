import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callApi } from '../support/api-client.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localTemplateContext, localTemplateDir, STACK_NAME } from '../../local/template/template-runtime.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { failingStart, startLocalServer } from '../support/local-server.ts';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { roleStatements } from '../support/role-statements.ts';

/**
 * `npm run start:template` enforces the template's IAM: a function can do in DynamoDB (and
 * on the webhook queue) only what its role's policies allow. Proven by taking the synthesized template, removing one
 * action a function needs, and watching the request fail (with nothing stored).
 */
let dir: string;
let templateFile: string;
let original: string;
let table: TestTable;
let issuer: TestIssuer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'template-iam-'));
  // The run's synthesis (the one every start:template server of the run uses), copied to be edited here.
  const synthesized = await localTemplateDir({ templateCacheDir: process.env.TEMPLATE_CACHE_DIR, dataDir: 'memory', context: localTemplateContext(process.env), log: () => {} });
  await cp(synthesized, dir, { recursive: true });
  templateFile = join(dir, `${STACK_NAME}.template.json`);
  original = await readFile(templateFile, 'utf8');
  table = await createTestTable('template-iam');
  issuer = await startTestIssuer();
  await writeFile(join(dir, 'seed.json'), JSON.stringify(testSeed));
}, 120_000);
afterAll(async () => {
  await issuer?.close();
  await table?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** The start function's DynamoDB statement in the template, to edit. */
function withoutStartAction(template: any, action: string) {
  const [functionId] = Object.entries(template.Resources).find(([id, resource]: [string, any]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith('StartTimeTrackingFunction'))!;
  const roleId = template.Resources[functionId].Properties.Role['Fn::GetAtt'][0];
  const statement = roleStatements(template)
    .get(roleId)!
    .find((candidate: any) => [candidate.Action].flat().some((name: string) => name.startsWith('dynamodb:')))!;
  expect([statement.Action].flat()).toContain(action);
  statement.Action = [statement.Action].flat().filter((name: string) => name !== action);
  return template;
}

async function startOnce(expectedStatus: number) {
  const server = await startLocalServer({
    RUNTIME: 'template',
    TEMPLATE_DIR: dir,
    SEED_FILE: join(dir, 'seed.json'),
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT!,
    ...issuer.env(),
  });
  try {
    const response = await callApi(server.baseUrl, 'POST', '/time-tracking/start', {
      headers: { authorization: `Bearer ${await issuer.sign({ sub: String(users.owner) })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workspace_id: WS, user_id: users.member }),
    });
    expect(response.status).toBe(expectedStatus);
    return response.body;
  } finally {
    await server.stop();
  }
}

describe('IAM from the template, enforced locally', () => {
  it('starts a tracker with the synthesized policy as it is', async () => {
    await startOnce(200);
    expect((await table.scan()).filter((item) => item.sk === 'TRACKER')).toHaveLength(1);
    await table.clearTrackingData();
  }, 60_000);

  it('fails the start, storing nothing, once dynamodb:PutItem is removed from its role', async () => {
    await writeFile(templateFile, JSON.stringify(withoutStartAction(JSON.parse(original), 'dynamodb:PutItem')));
    try {
      const body = await startOnce(500);
      expect(body).toMatchObject({ success: false, error: 'internal_error' });
      expect((await table.scan()).filter((item) => item.sk === 'TRACKER')).toEqual([]);
    } finally {
      await writeFile(templateFile, original);
    }
  }, 60_000);

  it('stops an EAGER start, naming the function, when a bundle cannot init; LAZY, the function answers API Gateway’s 500 instead', async () => {
    const broken = JSON.parse(original);
    const [functionId] = Object.entries(broken.Resources).find(([id, resource]: [string, any]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith('StartTimeTrackingFunction'))!;
    broken.Resources[functionId].Properties.Handler = 'index.nowhere';
    await writeFile(templateFile, JSON.stringify(broken));
    try {
      const env = { RUNTIME: 'template', TEMPLATE_DIR: dir, SEED_FILE: join(dir, 'seed.json'), TABLE_NAME: table.tableName, DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT!, ...issuer.env() };
      const eager = await failingStart({ ...env, WARM_CONTAINERS: 'EAGER' });
      expect(eager.code).toBe(1);
      expect(eager.output).toContain(`npm start: ${functionId} failed at init (Runtime.HandlerNotFound: index.nowhere is undefined or not exported)`);
      const server = await startLocalServer({ ...env, WARM_CONTAINERS: 'LAZY' });
      try {
        const response = await fetch(`${server.baseUrl}/time-tracking/start`, {
          method: 'POST',
          headers: { authorization: `Bearer ${await issuer.sign({ sub: String(users.owner) })}`, 'content-type': 'application/json' },
          body: JSON.stringify({ workspace_id: WS, user_id: users.member }),
        });
        expect({ status: response.status, body: await response.json() }).toEqual({ status: 500, body: { message: 'Internal Server Error' } });
      } finally {
        await server.stop();
      }
    } finally {
      await writeFile(templateFile, original);
    }
  }, 60_000);

  it('runs the webhook fan-out and delivery from their bundles with their roles: a webhook is delivered, and nothing is once the fan-out loses sqs:SendMessage', async () => {
    const receiver = await startWebhookReceiver();
    const { received, url } = receiver;
    const fanOutWithout = (template: any) => {
      const [, role] = Object.entries(template.Resources).find(([id, resource]: [string, any]) => resource.Type === 'AWS::IAM::Role' && id.startsWith('WebhookFanOutFunctionRole'))!;
      const roleId = Object.keys(template.Resources).find((id) => template.Resources[id] === role)!;
      for (const statement of roleStatements(template).get(roleId)!) statement.Action = [statement.Action].flat().filter((name: string) => !name.startsWith('sqs:SendMessage'));
      return template;
    };
    const startAndWait = async (expectDelivery: boolean) => {
      const server = await startLocalServer({
        RUNTIME: 'template',
        TEMPLATE_DIR: dir,
        SEED_FILE: join(dir, 'seed.json'),
        TABLE_NAME: table.tableName,
        DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT!,
        WEBHOOK_RETRY_SCALE: '0.01',
        ...issuer.env(),
      });
      try {
        const headers = { authorization: `Bearer ${await issuer.sign({ sub: String(users.owner) })}`, 'content-type': 'application/json' };
        const created = await callApi(server.baseUrl, 'POST', '/webhooks', { headers, body: JSON.stringify({ workspace_id: WS, url, events: ['tracker.started'] }) });
        expect(created.status).toBe(201);
        await new Promise((resolve) => setTimeout(resolve, 1100)); // the next event is after the webhook's creation second
        const before = received.length;
        expect((await callApi(server.baseUrl, 'POST', '/time-tracking/start', { headers, body: JSON.stringify({ workspace_id: WS, user_id: users.member }) })).status).toBe(200);
        const until = Date.now() + 5000;
        while (received.length === before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
        expect({ delivered: received.length > before }).toEqual({ delivered: expectDelivery });
      } finally {
        await server.stop();
        await table.clearTrackingData();
      }
    };
    try {
      await startAndWait(true);
      await writeFile(templateFile, JSON.stringify(fanOutWithout(JSON.parse(original))));
      await startAndWait(false);
    } finally {
      await writeFile(templateFile, original);
      await receiver.close();
    }
  }, 90_000);
});
