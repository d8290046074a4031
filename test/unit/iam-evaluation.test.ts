import { describe, expect, it } from '@jest/globals';
import { allows, requiredPermissions } from '../../local/template/iam-proxy.ts';

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
});
