/**
 * The JSON Schemas of the webhook subscription routes (docs/webhooks.md); the events a
 * subscription may ask for come from the event registry (./webhook-events.ts).
 */
import { idSchema, nullableStringSchema, pageFields, timestampSchema } from './schemas.ts';
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
  disabled_reason: { anyOf: [{ enum: ['gone', 'requested'] }, { type: 'null' }], description: '`gone`: its receiver answered 410; `requested`: turned off by a PATCH.' },
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
