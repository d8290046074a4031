/**
 * The JSON Schemas of the webhook subscription routes (docs/webhooks.md); the events a
 * subscription may ask for come from the event registry (./webhook-events.ts).
 */
import { WEBHOOK_DISABLED_REASONS, WEBHOOK_TEST_EVENT } from '../webhooks/model.ts';
import { cursorFields, cursorMeta, idSchema, nullableStringSchema, offsetTimeSchema, pageFields, timestampSchema } from './schemas.ts';
import { WEBHOOK_EVENT_TYPES } from './webhook-events.ts';

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

export const createWebhookBody = {
  type: 'object',
  required: ['workspace_id', 'url', 'events'],
  properties: {
    workspace_id: idSchema,
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    events: webhookEvents,
    description: { type: ['string', 'null'], maxLength: 500 },
  },
} as const;

export const createWebhookData = {
  type: 'object',
  required: [...webhookRequired, 'secret'],
  properties: { ...webhookFields, secret: { type: 'string', pattern: '^whsec_[A-Za-z0-9+/]{43}=$' } },
  additionalProperties: false,
} as const;

// GET /webhooks

export const listWebhooksQuery = {
  type: 'object',
  required: ['workspace_id'],
  properties: { workspace_id: idSchema, ...pageFields },
} as const;

export const listWebhooksData = {
  type: 'array',
  items: { type: 'object', required: webhookRequired, properties: webhookFields, additionalProperties: false },
} as const;

// PATCH /webhooks/{id}

export const updateWebhookBody = { type: 'object', required: ['status'], properties: { status: { enum: ['enabled', 'disabled'] } } } as const;
export const webhookData = { type: 'object', required: webhookRequired, properties: webhookFields, additionalProperties: false } as const;

// DELETE /webhooks/{id}

export const webhookPath = { type: 'object', required: ['id'], properties: { id: webhookId } } as const;

export const deleteWebhookData = {
  type: 'object',
  required: ['id', 'workspace_id'],
  properties: { id: { type: 'string' }, workspace_id: { type: 'integer' } },
  additionalProperties: false,
} as const;

// GET /webhooks/{id}/deliveries

export const webhookDeliveriesQuery = { type: 'object', required: ['workspace_id'], properties: { workspace_id: idSchema, ...cursorFields } } as const;

const messageType = { enum: [...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT] } as const;
const messageIdSchema = {
  type: 'string',
  pattern: '^msg_[A-Za-z0-9_-]{32}$',
  description: 'The webhook-id header of the message: the same on every attempt, redelivery and replay.',
  examples: ['msg_2b7hXv0kqA4mY1cR9dJ3sL6pW8eT5uZ0'],
} as const;

export const webhookDeliveriesData = {
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
export const webhookDeliveriesMeta = cursorMeta;

// POST /webhooks/{id}/deliveries/{message_id}/redeliver

export const webhookMessagePath = { type: 'object', required: ['id', 'message_id'], properties: { id: webhookId, message_id: messageIdSchema } } as const;

export const queuedMessageData = {
  type: 'object',
  required: ['webhook_id', 'message_id', 'event_type'],
  properties: { webhook_id: { type: 'string' }, message_id: messageIdSchema, event_type: messageType },
  additionalProperties: false,
} as const;

// POST /webhooks/{id}/replay

export const replayWebhookBody = { type: 'object', required: ['since'], properties: { since: offsetTimeSchema } } as const;

export const replayData = {
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

export const rotatedWebhookData = {
  type: 'object',
  required: [...webhookRequired, 'secret', 'previous_secret_expires_at'],
  properties: {
    ...webhookFields,
    secret: { type: 'string', pattern: '^whsec_[A-Za-z0-9+/]{43}=$', description: 'The new secret (shown only here).' },
    previous_secret_expires_at: { ...timestampSchema, description: 'Until then every delivery is signed with the old secret too.' },
  },
  additionalProperties: false,
} as const;
