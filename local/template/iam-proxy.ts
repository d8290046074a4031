import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { PolicyStatement } from './template-model.ts';

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

/** Whether the role's statements allow `action` on the table (its resource is the table's ARN, or *). */
export function allows(statements: PolicyStatement[], action: string, tableLogicalId: string): boolean {
  const actionMatches = (pattern: string) => pattern === '*' || pattern === action || (pattern.endsWith('*') && action.startsWith(pattern.slice(0, -1)));
  const isTable = (resource: unknown) =>
    resource === '*' || JSON.stringify(resource) === JSON.stringify({ 'Fn::GetAtt': [tableLogicalId, 'Arn'] });
  return statements.some((statement) => statement.actions.some(actionMatches) && statement.resources.some(isTable));
}

export async function startIamProxy(options: IamProxyOptions) {
  const upstream = new URL(options.target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      let parsed: Record<string, any> = {};
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        // Not JSON: DynamoDB Local answers it.
      }
      const denied = operation ? requiredPermissions(operation, parsed).find(({ action, table }) => table !== options.tableName || !allows(options.statements, action, options.tableLogicalId)) : undefined;
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
      const outgoing = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(response);
        },
      );
      outgoing.on('error', () => request.socket.destroy());
      outgoing.end(body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
