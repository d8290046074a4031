import { randomBytes } from 'node:crypto';

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** A webhook's public id. */
export const newWebhookId = () => `wh_${randomBytes(16).toString('base64url')}`;

/** The webhook-id of a message that is no event of the table (the test event): `msg_` + 32 url-safe characters, as messageIdOf gives. */
export const newMessageId = () => `msg_${randomBytes(24).toString('base64url')}`;
