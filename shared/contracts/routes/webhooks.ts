import type { RouteDefinition } from '../route-definition.ts';
import { WEBHOOK_DISABLED_REASONS, WEBHOOK_TEST_EVENT } from '../../webhooks/model.ts';
import { WEBHOOK_EVENT_TYPES } from '../webhook-events.ts';
import { cursorFields, cursorMeta, idSchema, nullableStringSchema, offsetTimeSchema, pageFields, paginationMeta, timestampSchema, workspaceQuery } from '../schemas.ts';

const webhookId = { type: 'string', pattern: '^wh_[A-Za-z0-9_-]{1,64}$' } as const;

const webhookEvents = { type: 'array', minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true, items: { enum: WEBHOOK_EVENT_TYPES } } as const;

const webhookFields = {
  id: { type: 'string' },
  workspace_id: { type: 'integer' },
  url: { type: 'string' },
  events: { type: 'array', items: { enum: WEBHOOK_EVENT_TYPES } },
  description: nullableStringSchema,
  created_at: timestampSchema,
  status: { enum: ['enabled', 'disabled'], description: 'A disabled webhook receives nothing.' },
  disabled_reason: {
    anyOf: [{ enum: WEBHOOK_DISABLED_REASONS }, { type: 'null' }],
    description:
      '`gone`: its receiver answered 410; `requested`: turned off by a PATCH; `failing`: every attempt failed for 5 days; `creator_lost_access`: whoever created it no longer manages the workspace.',
  },
} as const;

const webhookRequired = ['id', 'workspace_id', 'url', 'events', 'description', 'created_at', 'status', 'disabled_reason'] as const;

// POST /webhooks
const createWebhookBody = {
  type: 'object',
  required: ['workspace_id', 'url', 'events'],
  properties: {
    workspace_id: idSchema,
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    events: webhookEvents,
    description: { type: ['string', 'null'], maxLength: 500 },
  },
} as const;

const createWebhookData = {
  type: 'object',
  required: [...webhookRequired, 'secret'],
  properties: { ...webhookFields, secret: { type: 'string', pattern: '^whsec_[A-Za-z0-9+/]{43}=$' } },
  additionalProperties: false,
} as const;

// GET /webhooks
const listWebhooksQuery = {
  type: 'object',
  required: ['workspace_id'],
  properties: { workspace_id: idSchema, ...pageFields },
} as const;

const listWebhooksData = {
  type: 'array',
  items: { type: 'object', required: webhookRequired, properties: webhookFields, additionalProperties: false },
} as const;

// PATCH /webhooks/{id}
const updateWebhookBody = { type: 'object', required: ['status'], properties: { status: { enum: ['enabled', 'disabled'] } } } as const;

const webhookData = { type: 'object', required: webhookRequired, properties: webhookFields, additionalProperties: false } as const;

// DELETE /webhooks/{id}
const webhookPath = { type: 'object', required: ['id'], properties: { id: webhookId } } as const;

const deleteWebhookData = {
  type: 'object',
  required: ['id', 'workspace_id'],
  properties: { id: { type: 'string' }, workspace_id: { type: 'integer' } },
  additionalProperties: false,
} as const;

// GET /webhooks/{id}/deliveries
const webhookDeliveriesQuery = { type: 'object', required: ['workspace_id'], properties: { workspace_id: idSchema, ...cursorFields } } as const;

const messageType = { enum: [...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT] } as const;

const messageIdSchema = {
  type: 'string',
  pattern: '^msg_[A-Za-z0-9_-]{32}$',
  description: 'The webhook-id header of the message: the same on every attempt, redelivery and replay.',
  examples: ['msg_2b7hXv0kqA4mY1cR9dJ3sL6pW8eT5uZ0'],
} as const;

const webhookDeliveriesData = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'message_id', 'event_type', 'attempt', 'status_code', 'error', 'duration_ms', 'at', 'next_attempt_at'],
    properties: {
      id: { type: 'string' },
      message_id: messageIdSchema,
      event_type: messageType,
      attempt: { type: 'integer', minimum: 1, description: '1 for the first send of a message; a redelivery or replay counts from 1 again.' },
      status_code: { type: ['integer', 'null'], description: "The receiver's status, or null when it gave none (no connection, no answer in 5 s, an address refused)." },
      error: { type: ['string', 'null'], description: 'Why the attempt failed, or null when it was delivered.' },
      duration_ms: { type: 'integer', minimum: 0 },
      at: { type: 'string', description: 'When the attempt was made (ISO 8601, UTC, milliseconds).' },
      next_attempt_at: { type: ['string', 'null'], description: 'When the next attempt is due, or null when there is none.' },
    },
    additionalProperties: false,
  },
} as const;

/** The log's pages: newest first, and whether an older page exists (the log is not counted). */
/** The delivery log pages by cursor: newest first, a page costs what it holds (the log of a busy webhook is long). */
const webhookDeliveriesMeta = cursorMeta;

// POST /webhooks/{id}/deliveries/{message_id}/redeliver
const webhookMessagePath = { type: 'object', required: ['id', 'message_id'], properties: { id: webhookId, message_id: messageIdSchema } } as const;

const queuedMessageData = {
  type: 'object',
  required: ['webhook_id', 'message_id', 'event_type'],
  properties: { webhook_id: { type: 'string' }, message_id: messageIdSchema, event_type: messageType },
  additionalProperties: false,
} as const;

// POST /webhooks/{id}/replay
const replayWebhookBody = { type: 'object', required: ['since'], properties: { since: offsetTimeSchema } } as const;

const replayData = {
  type: 'object',
  required: ['webhook_id', 'id', 'since', 'until', 'count'],
  properties: {
    webhook_id: { type: 'string' },
    id: {
      anyOf: [{ type: 'string', pattern: '^rpl_[A-Za-z0-9_-]{16}$', examples: ['rpl_Q2x7Lm0Pz4Vb8Nc1'] }, { type: 'null' }],
      description: 'The replay (null when there is nothing to send): while it runs, another replay of this webhook is refused (409 `replay_in_progress`).',
    },
    since: timestampSchema,
    until: {
      ...timestampSchema,
      description:
        'When the replay was asked for (later events are delivered as they happen); or, when more than 1,000 messages are in the range, the time of the 1,000th: replay again from there once this one has ended (a message of that second may come twice: deduplicate on webhook-id).',
    },
    count: { type: 'integer', minimum: 0, maximum: 1000, description: 'How many messages this replay sends, oldest event first: at most 1,000.' },
  },
  additionalProperties: false,
} as const;

// POST /webhooks/{id}/rotate-secret
const rotatedWebhookData = {
  type: 'object',
  required: [...webhookRequired, 'secret', 'previous_secret_expires_at'],
  properties: {
    ...webhookFields,
    secret: { type: 'string', pattern: '^whsec_[A-Za-z0-9+/]{43}=$', description: 'The new secret (shown only here).' },
    previous_secret_expires_at: { ...timestampSchema, description: 'Until then every delivery is signed with the old secret too.' },
  },
  additionalProperties: false,
} as const;

/** Webhooks: subscriptions, their delivery log, redelivery, replay, the test event, secret rotation. (The route table is assembled in ../routes.ts; docs/architecture.md says what each field drives.) */
export const webhookRoutes = {
  createWebhook: {
    method: 'POST',
    path: '/webhooks',
    functionName: 'create-webhook',
    scope: 'write',
    idempotent: true,
    sealsWebhookSecrets: true,
    // TransactWriteItems: the workspace's webhook counter (UpdateItem) and the webhook (PutItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Subscribe a URL to tracker events of a workspace (the signing secret is shown once)',
    successOutcome: 'webhook_created',
    input: { body: createWebhookBody },
    response: { status: 201, description: 'The webhook, with its signing secret (shown only here).', data: createWebhookData },
    errors: { '400': 'Not a JSON object.' },
    example: { input: { workspace_id: 1, url: 'https://hooks.example.com/time-tracking', events: ['tracker.started', 'tracker.stopped'], description: 'Payroll sync' } },
  },
  listWebhooks: {
    method: 'GET',
    path: '/webhooks',
    functionName: 'list-webhooks',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A workspace's webhooks, without their secrets",
    successOutcome: 'webhooks_listed',
    input: { query: listWebhooksQuery },
    response: { description: 'One page of webhooks.', data: listWebhooksData, meta: paginationMeta },
    example: { after: 'createWebhook', input: { workspace_id: 1 } },
  },
  updateWebhook: {
    method: 'PATCH',
    path: '/webhooks/{id}',
    functionName: 'update-webhook',
    scope: 'write',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
    summary: 'Turn a webhook off, or back on (it then receives the events from then on)',
    successOutcome: 'webhook_updated',
    input: { path: webhookPath, query: workspaceQuery, body: updateWebhookBody },
    response: { description: 'The webhook as it is now.', data: webhookData },
    errors: { '400': 'Not a JSON object.' },
    example: { after: 'createWebhook', input: { id: 'wh_example', workspace_id: 1, status: 'enabled' }, fromAfter: { id: 'data.id' } },
  },
  deleteWebhook: {
    method: 'DELETE',
    path: '/webhooks/{id}',
    functionName: 'delete-webhook',
    scope: 'write',
    idempotent: false,
    // TransactWriteItems: the webhook (DeleteItem) and the workspace's webhook counter (UpdateItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    summary: 'Delete a webhook: nothing more is delivered to it',
    successOutcome: 'webhook_deleted',
    input: { path: webhookPath, query: workspaceQuery },
    response: { description: 'The webhook was deleted.', data: deleteWebhookData },
    example: { after: 'createWebhook', input: { id: 'wh_example', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  listWebhookDeliveries: {
    method: 'GET',
    path: '/webhooks/{id}/deliveries',
    functionName: 'list-webhook-deliveries',
    scope: 'read',
    idempotent: false,
    // The caller's membership (BatchGetItem), the webhook (GetItem), its log newest first (Query).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    summary: "A webhook's delivery attempts of the last 7 days, newest first",
    successOutcome: 'webhook_deliveries_listed',
    input: { path: webhookPath, query: webhookDeliveriesQuery },
    response: { description: 'One page of attempts.', data: webhookDeliveriesData, meta: webhookDeliveriesMeta },
    example: { after: 'createWebhook', input: { id: 'wh_example', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  testWebhook: {
    method: 'POST',
    path: '/webhooks/{id}/test',
    functionName: 'test-webhook',
    scope: 'write',
    idempotent: false,
    // The message is kept in the webhook's log (BatchWriteItem: in event order and by id) before it is queued.
    // Then the webhook's last test time (UpdateItem: one a minute).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
    sendsWebhooks: true,
    summary: 'Send a webhook.test event to the webhook now',
    successOutcome: 'webhook_test_queued',
    input: { path: webhookPath, query: workspaceQuery },
    response: {
      status: 202,
      description: 'The test event is queued: it is delivered within seconds, and shows in the delivery log. At most one a minute per webhook (429 with Retry-After).',
      data: queuedMessageData,
    },
    example: { after: 'createWebhook', input: { id: 'wh_example', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  redeliverWebhookMessage: {
    method: 'POST',
    path: '/webhooks/{id}/deliveries/{message_id}/redeliver',
    functionName: 'redeliver-webhook-message',
    scope: 'write',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
    sendsWebhooks: true,
    summary: 'Send one message of the delivery log again (the same webhook-id and body)',
    successOutcome: 'webhook_redelivery_queued',
    input: { path: webhookMessagePath, query: workspaceQuery },
    response: { status: 202, description: 'The message is queued again, with a new timestamp and signature.', data: queuedMessageData },
    example: {
      after: 'testWebhook',
      input: { id: 'wh_example', message_id: 'msg_2b7hXv0kqA4mY1cR9dJ3sL6pW8eT5uZ0', workspace_id: 1 },
      fromAfter: { id: 'data.webhook_id', message_id: 'data.message_id' },
    },
  },
  replayWebhook: {
    method: 'POST',
    path: '/webhooks/{id}/replay',
    functionName: 'replay-webhook',
    scope: 'write',
    idempotent: false,
    // The webhook (GetItem) beside its log's messages in the range, counted (Query); then its one replay slot (UpdateItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    sendsWebhooks: true,
    summary: 'Send again the events of the webhook since a time (at most 7 days back, 1,000 messages), in the order they happened',
    successOutcome: 'webhook_replay_queued',
    input: { path: webhookPath, query: workspaceQuery, body: replayWebhookBody },
    response: { status: 202, description: 'The replay is queued: the messages follow one another, oldest event first.', data: replayData },
    errors: { '400': 'Not a JSON object.', '409': 'Another replay of this webhook is still running (`replay_in_progress`, its id in the message).' },
    conflictCode: 'replay_in_progress',
    example: { after: 'testWebhook', input: { id: 'wh_example', workspace_id: 1, since: '2024-01-15T09:00:00+00:00' }, fromAfter: { id: 'data.webhook_id' }, hourAgo: ['since'] },
  },
  rotateWebhookSecret: {
    method: 'POST',
    path: '/webhooks/{id}/rotate-secret',
    functionName: 'rotate-webhook-secret',
    scope: 'write',
    idempotent: true,
    sealsWebhookSecrets: true,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
    summary: 'A new signing secret; for 24 hours every delivery is signed with the old one too',
    successOutcome: 'webhook_secret_rotated',
    input: { path: webhookPath, query: workspaceQuery },
    response: { description: 'The webhook with its new secret (shown only here).', data: rotatedWebhookData },
    example: { after: 'createWebhook', input: { id: 'wh_example', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
} as const satisfies Record<string, RouteDefinition>;
