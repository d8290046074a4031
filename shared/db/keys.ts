/**
 * Key builders for every item of the table (docs/data-model.md). Application code spells
 * keys only through these; tests may spell them to check what is stored.
 */
export type ItemKey = { pk: string; sk: string };

const API_KEY_PK_PREFIX = 'APIKEY#';
const USER_API_KEY_SK_PREFIX = 'APIKEY';
const WEBHOOK_SK_PREFIX = 'WEBHOOK#';
const INVITATION_SK_PREFIX = 'INVITATION#';
const USER_MEMBERSHIP_SK_PREFIX = 'MEMBER#';
const VERSION_SK_PREFIX = 'V#';
const ACTIVE_SK_PREFIX = 'ACTIVE#';
const WEBHOOK_MESSAGE_SK_PREFIX = 'MSG#';
const WEBHOOK_ATTEMPT_SK_PREFIX = 'ATTEMPT#';
const workspacePk = (workspaceId: number) => `WS#${workspaceId}`;
/** A webhook's log (messages and attempts) is its own partition: it grows with the traffic, not with the workspace's directory. */
const webhookLogPk = (workspaceId: number, webhookId: string) => `${workspacePk(workspaceId)}#WEBHOOK#${webhookId}`;

export const keys = {
  workspace: (workspaceId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: 'WS' }),
  /** A workspace's settings (absent until first changed: the defaults). */
  workspaceSettings: (workspaceId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: 'SETTINGS' }),
  /** The ids of the workspace's archived projects (`project_ids`, a number set): start and entries read it in their batch. */
  archivedProjects: (workspaceId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: 'ARCHIVED' }),
  /** The ids of the workspace's active owners (`user_ids`, a number set; `complete` once it holds them all): the last-owner rule reads it. */
  workspaceOwners: (workspaceId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: 'OWNERS' }),
  /** One audited change of a directory record (`kind`: member, project, contract, task, workspace), in time order (a removed record's id may come back). */
  directoryChange: (workspaceId: number, kind: string, id: number, at: string, revision: number, changeId: string): ItemKey => ({
    pk: `${workspacePk(workspaceId)}#${kind.toUpperCase()}#${id}`,
    sk: `CHANGE#${at}#${String(revision).padStart(10, '0')}#${changeId}`,
  }),
  membership: (workspaceId: number, userId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: `MEMBER#${userId}` }),
  /** A user's mark of their membership of a workspace (written with the membership): whether a user is a member anywhere is one Query. */
  userMembership: (userId: number, workspaceId: number): ItemKey => ({ pk: `USER#${userId}`, sk: `${USER_MEMBERSHIP_SK_PREFIX}${workspaceId}` }),
  userMembershipPrefix: USER_MEMBERSHIP_SK_PREFIX,
  /** The workspace's latest invitation of a user (one per invitee: a pending one blocks another). */
  workspaceInvitation: (workspaceId: number, userId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: `${INVITATION_SK_PREFIX}${userId}` }),
  /** The invited user's copy of one invitation, by its id: only that user finds it (accept, decline, their list). */
  userInvitation: (userId: number, invitationId: string): ItemKey => ({ pk: `USER#${userId}`, sk: `${INVITATION_SK_PREFIX}${invitationId}` }),
  invitationPrefix: INVITATION_SK_PREFIX,
  project: (workspaceId: number, projectId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: `PROJECT#${projectId}` }),
  contract: (workspaceId: number, contractId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: `CONTRACT#${contractId}` }),
  task: (workspaceId: number, taskId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: `TASK#${taskId}` }),
  /** One per user, whatever the workspace: the key itself forbids two active trackers. */
  activeTracker: (userId: number): ItemKey => ({ pk: `USER#${userId}`, sk: 'TRACKER' }),
  /** A running tracker's mark in its workspace: who is clocked in there is one Query. */
  workspaceActiveTracker: (workspaceId: number, userId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: `${ACTIVE_SK_PREFIX}${userId}` }),
  workspaceActiveTrackerPrefix: ACTIVE_SK_PREFIX,
  timeEntriesPk: (workspaceId: number, userId: number) => `${workspacePk(workspaceId)}#USER#${userId}`,
  timeEntry: (workspaceId: number, userId: number, startTime: string, entryId: string): ItemKey => ({
    pk: keys.timeEntriesPk(workspaceId, userId),
    sk: `ENTRY#${startTime}#${entryId}`,
  }),
  /** An entry by its id alone (a full copy, kept with the listed one in every write): GET by id is one read. */
  timeEntryById: (entryId: string): ItemKey => ({ pk: `TIMEENTRY#${entryId}`, sk: 'ENTRY' }),
  /** One version of an entry's history, beside its by-id copy; zero-padded so that they sort by version. */
  timeEntryVersion: (entryId: string, version: number): ItemKey => ({ pk: `TIMEENTRY#${entryId}`, sk: `${VERSION_SK_PREFIX}${String(version).padStart(10, '0')}` }),
  timeEntryVersionPrefix: VERSION_SK_PREFIX,
  /** How many entries of a member start on each UTC day of one month (`d_<DD>`): what a long list pages by. */
  entryCounts: (workspaceId: number, userId: number, month: string): ItemKey => ({ pk: keys.timeEntriesPk(workspaceId, userId), sk: `COUNTS#${month}` }),
  /** One slot of a member's timeline in a workspace (a UTC day, or LONG): the spans the overlap rule reads. */
  timelineSlot: (workspaceId: number, userId: number, slot: string): ItemKey => ({ pk: keys.timeEntriesPk(workspaceId, userId), sk: `TIMELINE#${slot}` }),
  /** A member's entries that start in one UTC month, as the reports read them (`e_<entry id>`): a workspace's month is one Query. */
  reportMonth: (workspaceId: number, month: string, userId: number): ItemKey => ({ pk: keys.reportMonthPk(workspaceId, month), sk: `USER#${userId}` }),
  reportMonthPk: (workspaceId: number, month: string) => `${workspacePk(workspaceId)}#REPORT#${month}`,
  /**
   * A member's timesheet month (docs/timesheets.md): per day of the month in the workspace's
   * zone, how many entry writes touched it (`w_<DD>`) and how many submitted or approved
   * periods lock it (`l_<DD>`), and the records of the periods that touch the month. One
   * partition per workspace and month, an item per member: the timesheet list is one Query a month.
   */
  timesheetMonth: (workspaceId: number, month: string, userId: number): ItemKey => ({ pk: keys.timesheetMonthPk(workspaceId, month), sk: `USER#${userId}` }),
  timesheetMonthPk: (workspaceId: number, month: string) => `${workspacePk(workspaceId)}#SHEETS#${month}`,
  /** One status change of a timesheet, kept as its audit: its webhook events and its place in the change feed. */
  timesheetChange: (workspaceId: number, timesheetId: string, revision: number): ItemKey => ({
    pk: `${workspacePk(workspaceId)}#TIMESHEET#${timesheetId}`,
    sk: `CHANGE#${String(revision).padStart(10, '0')}`,
  }),
  /** A time request by its id (docs/time-requests.md): approvals, rejections and cancellations read it. */
  timeRequest: (workspaceId: number, requestId: string): ItemKey => ({ pk: `${workspacePk(workspaceId)}#REQUEST#${requestId}`, sk: 'REQUEST' }),
  /** The same request listed by when it starts: the list is one Query of a range. */
  listedTimeRequest: (workspaceId: number, startTime: string, requestId: string): ItemKey => ({ pk: keys.timeRequestsPk(workspaceId), sk: `${startTime}#${requestId}` }),
  timeRequestsPk: (workspaceId: number) => `${workspacePk(workspaceId)}#REQUESTS`,
  /** The change feed's partition of a workspace (`feed_pk` of the `changes` index): every entry version and directory change of the workspace, in order. */
  changeFeedPk: (workspaceId: number) => `${workspacePk(workspaceId)}#CHANGES`,
  /**
   * A change's place in its workspace's feed (`feed_sk`): the time it was made (to the second,
   * as the API writes times), then its type, record id and revision, so that no two changes
   * share one and the order never changes. No position is a prefix of another (ids hold no `#`).
   */
  changeFeedPosition: (at: string, type: string, id: string | number, revision: number) => `${at}#${type}#${id}#${String(revision).padStart(10, '0')}`,
  /** The attributes that put a change in its workspace's feed (the `changes` index's keys, and the type a page filters on). */
  changeFeedAttributes: (workspaceId: number, at: string, type: string, id: string | number, revision: number) => ({
    feed_pk: keys.changeFeedPk(workspaceId),
    feed_sk: keys.changeFeedPosition(at, type, id, revision),
    feed_type: type,
  }),
  webhook: (workspaceId: number, webhookId: string): ItemKey => ({ pk: workspacePk(workspaceId), sk: `${WEBHOOK_SK_PREFIX}${webhookId}` }),
  /** Prefix of the sort keys of a workspace's webhooks. */
  webhookSkPrefix: WEBHOOK_SK_PREFIX,
  /** What was sent to a webhook, in the order its events happened: what replay reads. */
  webhookMessage: (workspaceId: number, webhookId: string, occurredAt: string, messageId: string): ItemKey => ({
    pk: webhookLogPk(workspaceId, webhookId),
    sk: `${WEBHOOK_MESSAGE_SK_PREFIX}${occurredAt}#${messageId}`,
  }),
  webhookMessagePrefix: WEBHOOK_MESSAGE_SK_PREFIX,
  /** The same message by its webhook-id: what redelivery reads. */
  webhookMessageById: (workspaceId: number, webhookId: string, messageId: string): ItemKey => ({ pk: webhookLogPk(workspaceId, webhookId), sk: `MSGID#${messageId}` }),
  /** One delivery attempt, in time order. */
  webhookAttempt: (workspaceId: number, webhookId: string, at: string, attemptId: string): ItemKey => ({
    pk: webhookLogPk(workspaceId, webhookId),
    sk: `${WEBHOOK_ATTEMPT_SK_PREFIX}${at}#${attemptId}`,
  }),
  webhookAttemptPrefix: WEBHOOK_ATTEMPT_SK_PREFIX,
  /** How many webhooks the workspace has (kept in the transactions that add and remove them). */
  webhookCounter: (workspaceId: number): ItemKey => ({ pk: workspacePk(workspaceId), sk: 'WEBHOOKS' }),
  /** A user's own copy of one of their API keys (no secret: its hash, to revoke it): listing a user's keys is one Query. */
  userApiKey: (userId: number, keyId: string): ItemKey => ({ pk: `USER#${userId}`, sk: `${USER_API_KEY_SK_PREFIX}#${keyId}` }),
  /** Changes with every key a user creates or revokes (`revision`): concurrent creates cannot pass the limit together. */
  userApiKeys: (userId: number): ItemKey => ({ pk: `USER#${userId}`, sk: `${USER_API_KEY_SK_PREFIX}S` }),
  /** What a user's keys and their revision item share. */
  userApiKeyPrefix: USER_API_KEY_SK_PREFIX,
  apiKey: (sha256Hex: string): ItemKey => ({ pk: `${API_KEY_PK_PREFIX}${sha256Hex}`, sk: 'APIKEY' }),
  /** Points a key's public id at its hash, so that revoking by id is one lookup, not a scan. */
  apiKeyId: (keyId: string): ItemKey => ({ pk: `APIKEYID#${keyId}`, sk: 'APIKEYID' }),
  /** A user's request counter for the rate-limit window starting at `windowStart` (epoch seconds). */
  rateLimitWindow: (userId: number, windowStart: number): ItemKey => ({ pk: `RATELIMIT#${userId}`, sk: String(windowStart) }),
  idempotency: (userId: number, route: string, idempotencyKey: string): ItemKey => ({
    pk: `IDEMPOTENCY#${userId}`,
    sk: `${route}#${idempotencyKey}`,
  }),
} as const;

/** The SHA-256 an API key item is keyed by. */
export const apiKeyHashOf = (pk: string) => (pk.startsWith(API_KEY_PK_PREFIX) ? pk.slice(API_KEY_PK_PREFIX.length) : '');
