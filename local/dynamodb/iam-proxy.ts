import { createServer, request as httpRequest, type Server } from 'node:http';
import { allows, type PolicyStatement } from '../iam/policy-decision.ts';
import { listenOnLoopback } from '../listen-on-loopback.ts';

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

/** The (action, table[, index]) triples one DynamoDB request needs, as IAM evaluates them (a Query of an index is authorized on the index's ARN, not the table's). */
export function requiredPermissions(operation: string, body: Record<string, any>): Array<{ action: string; table: string; index?: string }> {
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    return (body.TransactItems as Array<Record<string, { TableName: string }>>).flatMap((item) =>
      Object.entries(item).map(([kind, detail]) => ({ action: `dynamodb:${TRANSACT_ITEM_ACTIONS[kind] ?? kind}`, table: detail.TableName })),
    );
  }
  if (body.RequestItems) return Object.keys(body.RequestItems).map((table) => ({ action: `dynamodb:${operation}`, table }));
  if (typeof body.IndexName === 'string') return [{ action: `dynamodb:${operation}`, table: String(body.TableName), index: body.IndexName }];
  return [{ action: `dynamodb:${operation}`, table: String(body.TableName) }];
}

/** What the proxy answers a request it cannot read: refused, as IAM would refuse an action it cannot authorize. */
function classify(operation: string, body: Buffer): Array<{ action: string; table: string; index?: string }> | undefined {
  if (!/^[A-Za-z]+$/.test(operation)) return undefined;
  try {
    const permissions = requiredPermissions(operation, JSON.parse(body.toString('utf8') || '{}'));
    return permissions.length > 0 &&
      permissions.every(({ action, table, index }) => /^dynamodb:[A-Za-z]+$/.test(action) && typeof table === 'string' && (index === undefined || /^[A-Za-z0-9_.-]{3,255}$/.test(index)))
      ? permissions
      : undefined;
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
      const denied = permissions.find(
        ({ action, table, index }) => table !== options.tableName || !allows(options.statements, action, options.tableLogicalId, index === undefined ? tableArn : `${tableArn}/index/${index}`),
      );
      if (denied) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'local-iam' });
        response.end(
          JSON.stringify({
            __type: 'com.amazon.coral.service#AccessDeniedException',
            Message: `User: arn:aws:sts::000000000000:assumed-role/${options.functionName}/local is not authorized to perform: ${denied.action} on resource: arn:aws:dynamodb:local:000000000000:table/${denied.table}${denied.index === undefined ? '' : `/index/${denied.index}`} because no identity-based policy allows the ${denied.action} action`,
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
