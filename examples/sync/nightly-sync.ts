import type { createTimeTrackingClient, paths } from '../../clients/typescript/client.ts';

type Client = ReturnType<typeof createTimeTrackingClient>;
/** One change of the feed, as the typed client reads it. */
export type FeedChange = paths['/changes']['get']['responses']['200']['content']['application/json']['data'][number];

/**
 * An integrator's sync from the change feed (docs/change-feed.md), to run nightly or every
 * minute: read every page after the stored cursor, apply each change in order (a `null`
 * record is a deletion), and return the cursor to store for next time, only once everything
 * before it was applied. A cursor the service no longer reads (410) starts a full sync.
 */
export async function syncChanges(api: Client, workspaceId: number, storedCursor: string | undefined, apply: (change: FeedChange) => Promise<void>): Promise<string> {
  let cursor = storedCursor;
  for (;;) {
    const page = await api.GET('/changes', { params: { query: { workspace_id: workspaceId, limit: 500, ...(cursor ? { since: cursor } : {}) } } });
    if (page.response.status === 410) return syncChanges(api, workspaceId, undefined, apply);
    if (!page.data) throw new Error(`The change feed answered ${page.response.status}: retry later from the same cursor.`);
    for (const change of page.data.data) await apply(change);
    cursor = page.data.meta.next_cursor;
    if (!page.data.meta.has_more) return cursor;
  }
}
