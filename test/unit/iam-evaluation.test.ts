import { describe, expect, it } from '@jest/globals';
import { requiredPermissions, startIamProxy } from '../../local/dynamodb/iam-proxy.ts';
import { allows, decide } from '../../local/iam/policy-decision.ts';
import { createServer } from 'node:http';

/** How the template runtime's DynamoDB proxy reads a request and a role, as IAM would. */
const table = { 'Fn::GetAtt': ['TableCD117FA1', 'Arn'] };

describe('IAM evaluation of the template runtime', () => {
  it('authorizes a transaction per item action, and a batch per table', () => {
    expect(requiredPermissions('TransactWriteItems', { TransactItems: [{ Delete: { TableName: 't' } }, { Put: { TableName: 't' } }] })).toEqual([
      { action: 'dynamodb:DeleteItem', table: 't' },
      { action: 'dynamodb:PutItem', table: 't' },
    ]);
    expect(requiredPermissions('BatchGetItem', { RequestItems: { t: {}, u: {} } })).toEqual([
      { action: 'dynamodb:BatchGetItem', table: 't' },
      { action: 'dynamodb:BatchGetItem', table: 'u' },
    ]);
    expect(requiredPermissions('GetItem', { TableName: 't' })).toEqual([{ action: 'dynamodb:GetItem', table: 't' }]);
  });

  it('allows an action only on the table resource the statement names', () => {
    const statements = [
      { actions: ['logs:PutLogEvents'], resources: ['*'] },
      { actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [table] },
    ];
    expect(allows(statements, 'dynamodb:GetItem', 'TableCD117FA1')).toBe(true);
    expect(allows(statements, 'dynamodb:PutItem', 'TableCD117FA1')).toBe(false);
    expect(allows(statements, 'dynamodb:GetItem', 'OtherTable')).toBe(false);
    expect(allows([{ actions: ['dynamodb:*'], resources: [table] }], 'dynamodb:PutItem', 'TableCD117FA1')).toBe(true);
    expect(allows([{ actions: ['dynamodb:GetItem'], resources: [{ 'Fn::Join': ['', [table, '/index/*']] }] }], 'dynamodb:GetItem', 'TableCD117FA1')).toBe(false);
  });

  it('authorizes a Query of an index on the index’s ARN, as CDK writes it (Fn::Join of the table’s ARN), never on the table’s alone', () => {
    const tableArn = 'arn:aws:dynamodb:local:000000000000:table/t';
    expect(requiredPermissions('Query', { TableName: 't', IndexName: 'changes' })).toEqual([{ action: 'dynamodb:Query', table: 't', index: 'changes' }]);
    const onIndex = [{ actions: ['dynamodb:Query'], resources: [{ 'Fn::Join': ['', [table, '/index/changes']] }] }];
    expect(allows(onIndex, 'dynamodb:Query', 'TableCD117FA1', `${tableArn}/index/changes`)).toBe(true);
    expect(allows(onIndex, 'dynamodb:Query', 'TableCD117FA1', `${tableArn}/index/other`)).toBe(false);
    expect(allows(onIndex, 'dynamodb:Query', 'TableCD117FA1', tableArn)).toBe(false);
    expect(allows([{ actions: ['dynamodb:Query'], resources: [table] }], 'dynamodb:Query', 'TableCD117FA1', `${tableArn}/index/changes`)).toBe(false);
    expect(allows([{ actions: ['dynamodb:Query'], resources: [{ 'Fn::Join': ['', [table, '/index/*']] }] }], 'dynamodb:Query', 'TableCD117FA1', `${tableArn}/index/changes`)).toBe(true);
    expect(
      allows(
        [{ actions: ['dynamodb:Query'], resources: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Other', 'Arn'] }, '/index/changes']] }] }],
        'dynamodb:Query',
        'TableCD117FA1',
        `${tableArn}/index/changes`,
      ),
    ).toBe(false);
  });

  it('lets an explicit Deny win over any Allow, and reads NotAction and wildcards inside names', () => {
    const allowAll = { effect: 'Allow' as const, actions: ['dynamodb:*'], resources: [table] };
    expect(decide([allowAll, { effect: 'Deny', actions: ['dynamodb:PutItem'], resources: [table] }], 'dynamodb:PutItem', 'TableCD117FA1')).toBe('deny');
    expect(decide([allowAll, { effect: 'Deny', actions: ['dynamodb:PutItem'], resources: [table] }], 'dynamodb:GetItem', 'TableCD117FA1')).toBe('allow');
    expect(decide([{ effect: 'Allow', notActions: ['dynamodb:DeleteItem'], resources: ['*'] }], 'dynamodb:PutItem', 'TableCD117FA1')).toBe('allow');
    expect(decide([{ effect: 'Allow', notActions: ['dynamodb:DeleteItem'], resources: ['*'] }], 'dynamodb:DeleteItem', 'TableCD117FA1')).toBe('implicit_deny');
    expect(allows([{ effect: 'Allow', actions: ['dynamodb:Get*'], resources: [table] }], 'dynamodb:GetItem', 'TableCD117FA1')).toBe(true);
    expect(allows([{ effect: 'Allow', actions: ['dynamodb:Batch?etItem'], resources: [table] }], 'dynamodb:BatchGetItem', 'TableCD117FA1')).toBe(true);
    expect(allows([{ effect: 'Allow', actions: ['DynamoDB:getitem'], resources: [table] }], 'dynamodb:GetItem', 'TableCD117FA1')).toBe(true);
    expect(
      allows([{ effect: 'Allow', actions: ['dynamodb:GetItem'], resources: ['arn:aws:dynamodb:*:*:table/t-*'] }], 'dynamodb:GetItem', 'TableCD117FA1', 'arn:aws:dynamodb:local:000000000000:table/t-1'),
    ).toBe(true);
    expect(allows([{ effect: 'Allow', actions: ['dynamodb:GetItem'], notResources: [table] }], 'dynamodb:GetItem', 'TableCD117FA1')).toBe(false);
    // A Deny on a resource it cannot resolve applies (fail closed); an Allow on one never does.
    const unresolvable = { 'Fn::ImportValue': 'shared-table-arn' };
    expect(decide([allowAll, { effect: 'Deny', actions: ['dynamodb:*'], resources: [unresolvable] }], 'dynamodb:GetItem', 'TableCD117FA1')).toBe('deny');
    expect(decide([{ effect: 'Allow', actions: ['dynamodb:*'], resources: [unresolvable] }], 'dynamodb:GetItem', 'TableCD117FA1')).toBe('implicit_deny');
  });

  it('refuses a request it cannot classify instead of passing it on', async () => {
    let reached = 0;
    const upstream = createServer((_request, response) => (reached++, response.end('{}')));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const proxy = await startIamProxy({
      functionName: 'f',
      target: `http://127.0.0.1:${(upstream.address() as { port: number }).port}`,
      statements: [{ effect: 'Allow', actions: ['dynamodb:*'], resources: [table] }],
      tableLogicalId: 'TableCD117FA1',
      tableName: 't',
    });
    try {
      const send = (target: string | undefined, body: string) =>
        fetch(proxy.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', ...(target ? { 'x-amz-target': target } : {}) }, body });
      for (const [target, body] of [
        [undefined, '{"TableName":"t"}'],
        ['DynamoDB_20120810.GetItem', 'not json'],
        ['DynamoDB_20120810.TransactWriteItems', '{"TransactItems":"x"}'],
        ['DynamoDB_20120810.GetItem', '{"TableName":"other"}'],
      ] as const) {
        const response = await send(target, body);
        expect({ target, body, status: response.status, type: ((await response.json()) as { __type: string }).__type }).toEqual({
          target,
          body,
          status: 400,
          type: 'com.amazon.coral.service#AccessDeniedException',
        });
      }
      expect(reached).toBe(0);
      expect((await send('DynamoDB_20120810.GetItem', '{"TableName":"t"}')).status).toBe(200);
      expect(reached).toBe(1);
    } finally {
      await proxy.close();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  });
});
