import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors.ts';
import { translateDynamoError } from './dynamo-errors.ts';

/**
 * Cursor pagination over one partition of the table (docs/contract.md "Pagination"): a page
 * costs what it holds, never what lies before it, unlike `page=N`, which has to read every
 * item up to the page. The cursor is opaque to clients: the sort key of the page's last item,
 * versioned and base64url-encoded. The partition is always the request's own (derived from
 * what the caller may read); a cursor only moves the start inside it, and one that does not
 * decode to a key of this very list (`prefix`) is refused with a 422 on `cursor`.
 */
const VERSION = 'c1';

export function encodeCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify([VERSION, sortKey]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, prefix: string): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const sortKey = Array.isArray(decoded) && decoded.length === 2 && decoded[0] === VERSION ? decoded[1] : undefined;
  if (typeof sortKey !== 'string' || !sortKey.startsWith(prefix) || encodeCursor(sortKey) !== cursor) {
    throw new ValidationError({ cursor: ['The cursor field must be a cursor this list answered.'] });
  }
  return sortKey;
}

export type CursorPage<T> = { items: T[]; nextCursor: string | null };

/**
 * One page of a Query over `pk`'s items whose sort key starts with `prefix`: at most
 * `perPage` items that `keep` accepts, after `cursor`. Reads one item more to know whether
 * another page exists; its cursor is the last item answered.
 */
export async function queryPage(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'KeyConditionExpression' | 'ExclusiveStartKey' | 'Limit'> & { pk: string; prefix: string },
  page: { cursor?: string; perPage: number },
  keep: (item: Record<string, unknown>) => boolean = () => true,
): Promise<CursorPage<Record<string, unknown>>> {
  const { pk, prefix, ExpressionAttributeValues, ...rest } = input;
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, prefix);
  const found: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined = after === undefined ? undefined : { pk, sk: after };
  do {
    const output = await client
      .send(
        new QueryCommand({
          ...rest,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ...ExpressionAttributeValues, ':pk': pk, ':prefix': prefix },
          Limit: page.perPage + 1 - found.length,
          ExclusiveStartKey,
        }),
      )
      .catch(translateDynamoError);
    found.push(...(output.Items ?? []).filter(keep));
    ExclusiveStartKey = output.LastEvaluatedKey;
  } while (ExclusiveStartKey && found.length <= page.perPage);
  const items = found.slice(0, page.perPage);
  return { items, nextCursor: found.length > page.perPage ? encodeCursor(String(items.at(-1)!.sk)) : null };
}
