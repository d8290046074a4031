import type { RouteDefinition } from '../route-definition.ts';
import { ROLES } from '../../tracking/model.ts';
import { idSchema, listOf, pageFields, paginationMeta, timestampSchema, workspacePath } from '../schemas.ts';

// Invitations
const invitationId = { type: 'string', pattern: '^inv_[A-Za-z0-9_-]{22}$', examples: ['inv_3fZr8Qm1Xc0bN7pLkT2sWa'] } as const;

const createInvitationPath = workspacePath;

const createInvitationBody = {
  type: 'object',
  required: ['user_id', 'role'],
  properties: { user_id: { ...idSchema, description: 'Who is invited: they join by accepting, with their own credential.' }, role: { enum: ROLES } },
} as const;

const invitationData = {
  type: 'object',
  required: ['id', 'workspace_id', 'user_id', 'role', 'status', 'invited_by', 'created_at', 'expires_at', 'decided_at'],
  properties: {
    id: invitationId,
    workspace_id: { type: 'integer' },
    user_id: { type: 'integer' },
    role: { enum: ROLES },
    status: { enum: ['pending', 'accepted', 'declined', 'expired'], description: '`expired`: still pending when its time ran out; it can no longer be accepted.' },
    invited_by: { type: 'integer' },
    created_at: timestampSchema,
    expires_at: timestampSchema,
    decided_at: { anyOf: [timestampSchema, { type: 'null' }] },
  },
  additionalProperties: false,
} as const;

const listInvitationsQuery = {
  type: 'object',
  properties: {
    workspace_id: { ...idSchema, description: "The workspace's invitations (its owners and executive managers). Absent: your own pending invitations." },
    ...pageFields,
  },
} as const;

const invitationPath = { type: 'object', required: ['id'], properties: { id: invitationId } } as const;

/** Invitations: how a user becomes a member, by accepting with their own credential. (The route table is assembled in ../routes.ts; docs/architecture.md says what each field drives.) */
export const invitationRoutes = {
  createInvitation: {
    method: 'POST',
    path: '/workspaces/{workspace_id}/invitations',
    functionName: 'create-invitation',
    scope: ['write', 'directory'],
    idempotent: false,
    // The caller's and the invitee's memberships and the workspace (BatchGetItem); both copies of the invitation (PutItem), the invitee still no member (ConditionCheckItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem'],
    summary: 'Invite a user to a workspace with a role: they become a member by accepting it (valid 14 days)',
    successOutcome: 'invitation_created',
    input: { path: createInvitationPath, body: createInvitationBody },
    response: { status: 201, description: 'The invitation, pending.', data: invitationData },
    errors: { '400': 'Not a JSON object.' },
    example: { input: { workspace_id: 1, user_id: 300, role: 'regular_user' } },
  },
  listInvitations: {
    method: 'GET',
    path: '/invitations',
    functionName: 'list-invitations',
    scope: ['read', 'directory'],
    idempotent: false,
    // Your own (one Query of your partition); or a workspace's (your membership, BatchGetItem, beside one Query).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "Your pending invitations, or (workspace_id) a workspace's invitations, newest first",
    successOutcome: 'invitations_listed',
    input: { query: listInvitationsQuery },
    response: { description: 'One page of invitations.', data: listOf(invitationData), meta: paginationMeta },
    example: { after: 'createInvitation', input: {}, caller: 300, credential: 'jwt' },
  },
  acceptInvitation: {
    method: 'POST',
    path: '/invitations/{id}/accept',
    functionName: 'accept-invitation',
    scope: 'write',
    idempotent: false,
    // Your invitation (GetItem); then both its copies (UpdateItem), the membership and its audit entry (PutItem), an owner into the owners set (UpdateItem), in one transaction.
    dynamodbActions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Accept an invitation of yours: you become an active member of its workspace, with its role',
    successOutcome: 'invitation_accepted',
    input: { path: invitationPath },
    response: { description: 'The invitation, accepted.', data: invitationData },
    errors: { '409': 'The invitation was declined or has expired (`invitation_not_pending`; one already accepted is answered again, 200); or you are a member already (`already_member`).' },
    conflictCode: 'invitation_not_pending',
    example: { after: 'createInvitation', input: { id: 'inv_3fZr8Qm1Xc0bN7pLkT2sWa' }, fromAfter: { id: 'data.id' }, caller: 300, credential: 'jwt' },
  },
  declineInvitation: {
    method: 'POST',
    path: '/invitations/{id}/decline',
    functionName: 'decline-invitation',
    scope: 'write',
    idempotent: false,
    // Your invitation (GetItem); then both its copies (UpdateItem), in one transaction.
    dynamodbActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    summary: 'Decline an invitation of yours: it can no longer be accepted',
    successOutcome: 'invitation_declined',
    input: { path: invitationPath },
    response: { description: 'The invitation, declined.', data: invitationData },
    errors: { '409': 'The invitation was accepted or has expired (one already declined is answered again, 200).' },
    conflictCode: 'invitation_not_pending',
    example: { after: 'createInvitation', input: { id: 'inv_3fZr8Qm1Xc0bN7pLkT2sWa' }, fromAfter: { id: 'data.id' }, caller: 300, credential: 'jwt' },
  },
} as const satisfies Record<string, RouteDefinition>;
