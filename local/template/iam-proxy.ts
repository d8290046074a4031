import { createServer, request as httpRequest, type Server } from 'node:http';
import { listenOnLoopback } from '../listen-on-loopback.ts';
import { getAttTarget, type PolicyStatement } from './template-model.ts';

/**
 * A function's view of DynamoDB in `npm run start:template`: a proxy in front of DynamoDB
 * Local that lets through only what the function's role allows in the template (actions on
 * the table's resource), and otherwise answers as DynamoDB does: 400
 * AccessDeniedException, nothing applied. TransactWriteItems is authorized per item, like
 * IAM does (Put → PutItem, Delete → DeleteItem, Update → UpdateItem, ConditionCheck →
 * ConditionCheckItem).
 */
export type IamProxyOptions = {
  functionName: string;
  target: string;
  statements: PolicyStatement[];
  tableLogicalId: string;
  tableName: string;
};

const TRANSACT_ITEM_ACTIONS: Record<string, string> = { Put: 'PutItem', Delete: 'DeleteItem', Update: 'UpdateItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

/** The (action, table) pairs one DynamoDB request needs, as IAM evaluates them. */
export function requiredPermissions(operation: string, body: Record<string, any>): Array<{ action: string; table: string }> {
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    return (body.TransactItems as Array<Record<string, { TableName: string }>>).flatMap((item) =>
      Object.entries(item).map(([kind, detail]) => ({ action: `dynamodb:${TRANSACT_ITEM_ACTIONS[kind] ?? kind}`, table: detail.TableName })),
    );
  }
  if (body.RequestItems) return Object.keys(body.RequestItems).map((table) => ({ action: `dynamodb:${operation}`, table }));
  return [{ action: `dynamodb:${operation}`, table: String(body.TableName) }];
}

/** IAM's wildcards in action names (case-insensitive) and ARNs: `*` any run, `?` one character. */
const glob = (pattern: string, value: string, flags = '') =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
    flags,
  ).test(value);

/**
 * IAM's decision for `action` on one resource of the template (the table, a queue), named by
 * its logical id and its local ARN: an explicit Deny wins, then an Allow, and
 * nothing else allows (implicit deny). A statement whose resource cannot be resolved here
 * (an intrinsic function other than the table's ARN) never allows, and a Deny with one
 * applies: fail closed.
 */
export function decide(
  statements: PolicyStatement[],
  action: string,
  resourceLogicalId: string,
  resourceArn = '',
  requestContext: Readonly<Record<string, string>> = {},
): 'allow' | 'deny' | 'implicit_deny' {
  const actionIn = (patterns: string[]) => patterns.some((pattern) => typeof pattern === 'string' && glob(pattern, action, 'i'));
  const resourceIs = (resource: unknown): boolean | 'unknown' => {
    if (typeof resource === 'string') return glob(resource, resourceArn) || resource === '*';
    if (JSON.stringify(resource) === JSON.stringify({ 'Fn::GetAtt': [resourceLogicalId, 'Arn'] })) return true;
    return getAttTarget(resource) !== undefined && getAttTarget(resource) !== resourceLogicalId ? false : 'unknown';
  };
  const matches = (statement: PolicyStatement, effect: 'Allow' | 'Deny') => {
    if (!conditionsHold(statement.conditions, requestContext, effect)) return false;
    const actionMatches = statement.actions ? actionIn(statement.actions) : statement.notActions ? !actionIn(statement.notActions) : false;
    if (!actionMatches) return false;
    const unknownCounts = effect === 'Deny';
    const check = (resources: unknown[], negate: boolean) => {
      const results = resources.map(resourceIs);
      if (results.includes('unknown')) return unknownCounts;
      return negate ? !results.includes(true) : results.includes(true);
    };
    return statement.resources ? check(statement.resources, false) : statement.notResources ? check(statement.notResources, true) : false;
  };
  if (statements.some((statement) => (statement.effect ?? 'Allow') === 'Deny' && matches(statement, 'Deny'))) return 'deny';
  if (statements.some((statement) => (statement.effect ?? 'Allow') === 'Allow' && matches(statement, 'Allow'))) return 'allow';
  return 'implicit_deny';
}

/** Whether the role's statements allow `action` on the resource (its `Fn::GetAtt … Arn`, or a pattern matching its ARN), given the request's condition keys. */
export function allows(statements: PolicyStatement[], action: string, resourceLogicalId: string, resourceArn = '', requestContext: Readonly<Record<string, string>> = {}): boolean {
  return decide(statements, action, resourceLogicalId, resourceArn, requestContext) === 'allow';
}

/**
 * A statement's conditions, as IAM evaluates the one operator the roles use here
 * (`StringEquals` on a key of the request, such as `kms:EncryptionContext:purpose`); any
 * other operator cannot be evaluated here: an Allow with it never applies and a Deny with it
 * always does (fail closed).
 */
function conditionsHold(conditions: PolicyStatement['conditions'], requestContext: Readonly<Record<string, string>>, effect: 'Allow' | 'Deny'): boolean {
  for (const [operator, keys] of Object.entries(conditions ?? {})) {
    if (operator !== 'StringEquals') return effect === 'Deny';
    for (const [key, expected] of Object.entries(keys)) {
      const given = requestContext[key];
      if (given === undefined || ![expected].flat().includes(given)) return false;
    }
  }
  return true;
}

/** What the proxy answers a request it cannot read: refused, as IAM would refuse an action it cannot authorize. */
function classify(operation: string, body: Buffer): Array<{ action: string; table: string }> | undefined {
  if (!/^[A-Za-z]+$/.test(operation)) return undefined;
  try {
    const permissions = requiredPermissions(operation, JSON.parse(body.toString('utf8') || '{}'));
    return permissions.length > 0 && permissions.every(({ action, table }) => /^dynamodb:[A-Za-z]+$/.test(action) && typeof table === 'string') ? permissions : undefined;
  } catch {
    return undefined;
  }
}

export async function startIamProxy(options: IamProxyOptions) {
  const upstream = new URL(options.target);
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const tableArn = `arn:aws:dynamodb:local:000000000000:table/${options.tableName}`;
      // Fail closed: a request that cannot be read is not passed on.
      const permissions = classify(operation, body) ?? [{ action: `dynamodb:${operation || 'Unknown'}`, table: '(unreadable request)' }];
      const denied = permissions.find(({ action, table }) => table !== options.tableName || !allows(options.statements, action, options.tableLogicalId, tableArn));
      if (denied) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'local-iam' });
        response.end(
          JSON.stringify({
            __type: 'com.amazon.coral.service#AccessDeniedException',
            Message: `User: arn:aws:sts::000000000000:assumed-role/${options.functionName}/local is not authorized to perform: ${denied.action} on resource: arn:aws:dynamodb:local:000000000000:table/${denied.table} because no identity-based policy allows the ${denied.action} action`,
          }),
        );
        return;
      }
      const outgoing = httpRequest({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } }, (answer) => {
        response.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(response);
      });
      outgoing.on('error', () => request.socket.destroy());
      outgoing.end(body);
    });
  });
  return listenOnLoopback(server);
}
