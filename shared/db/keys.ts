/** Key builders for every item of the table (DESIGN §3). Nothing else spells a key. */
export type ItemKey = { pk: string; sk: string };

const workspacePk = (workspaceId: number) => `WS#${workspaceId}`;

export const keys = {
  workspace: (workspaceId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: 'WS' }),
  membership: (workspaceId: number, userId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: `MEMBER#${userId}` }),
  project: (workspaceId: number, projectId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: `PROJECT#${projectId}` }),
  contract: (workspaceId: number, contractId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: `CONTRACT#${contractId}` }),
  task: (workspaceId: number, taskId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: `TASK#${taskId}` }),
  /** One per user, whatever the workspace: the key itself forbids two active trackers. */
  activeTracker: (userId: number): ItemKey => ({ pk: `USER#${userId}`, sk: 'TRACKER' }),
  timeEntriesPk: (workspaceId: number, userId: number) => `${workspacePk(workspaceId)}#USER#${userId}`,
  timeEntry: (workspaceId: number, userId: number, startTime: string, entryId: string): ItemKey => ({
    pk: keys.timeEntriesPk(workspaceId, userId),
    sk: `ENTRY#${startTime}#${entryId}`,
  }),
  apiKey: (sha256Hex: string): ItemKey => ({ pk: `APIKEY#${sha256Hex}`, sk: 'APIKEY' }),
  idempotency: (userId: number, route: string, idempotencyKey: string): ItemKey => ({
    pk: `IDEMPOTENCY#${userId}`,
    sk: `${route}#${idempotencyKey}`,
  }),
} as const;
