import type { PortAccess } from '../ports/port-access.ts';
import { AlreadyMemberError, DependencyUnavailableError, InvitationNotPendingError, NotFoundError, ValidationError } from '../errors.ts';
import { toApiTimestamp } from './api-time.ts';
import { assertMayManage, refKey, type DirectoryActor, type DirectoryRecord, type DirectoryRef, type DirectoryRepository } from './directory.ts';
import type { Role } from './model.ts';
import { contentionPause, WRITE_ATTEMPTS } from './timeline.ts';

/**
 * Invitations (docs/contract.md "Invitations"): the only way besides the organisation's sync
 * job (`directory`) that a user becomes a member of a workspace. An owner invites a user
 * with a role; the user accepts (or declines) with their own credential, within
 * INVITATION_LIFETIME_DAYS. So no owner can make anyone a member, and so start a tracker
 * that locks that user out of tracking in every other workspace, or use a start as an
 * oracle of who tracks where.
 */
export const INVITATION_LIFETIME_DAYS = 14;

export type InvitationStatus = 'pending' | 'accepted' | 'declined';
export type Invitation = {
  id: string;
  workspaceId: number;
  userId: number;
  role: Role;
  /** As stored: a pending one past `expiresAt` is shown `expired` (statusOf). */
  status: InvitationStatus;
  invitedBy: number;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
};

/** What a client sees: a pending invitation past its time is `expired`, and can no longer be accepted. */
export const statusOf = (invitation: Invitation, now: Date): InvitationStatus | 'expired' =>
  invitation.status === 'pending' && invitation.expiresAt <= toApiTimestamp(now) ? 'expired' : invitation.status;

export interface InvitationRepository {
  /**
   * Stores a new invitation, unless the invitee is a member by now ('member') or has a
   * pending invitation to the workspace that has not expired ('pending'): one transaction.
   */
  create(invitation: Invitation, now: Date): Promise<'created' | 'member' | 'pending'>;
  /** One of the user's own invitations, by id (another user's is not found). */
  findForUser(userId: number, id: string): Promise<Invitation | undefined>;
  /** The user's invitations, newest first: one Query. */
  listForUser(userId: number): Promise<Invitation[]>;
  /** The workspace's invitations, the latest per invitee, newest first: one Query. */
  listForWorkspace(workspaceId: number): Promise<Invitation[]>;
  /**
   * Accepts it: the invitation (if still pending and unexpired at `now`), and the membership
   * with its audit entry (if the user is no member), in one transaction.
   */
  accept(invitation: Invitation, member: DirectoryRecord, now: Date): Promise<'accepted' | 'not_pending' | 'member'>;
  /** Declines it, if still pending and unexpired at `now`. */
  decline(invitation: Invitation, now: Date): Promise<'declined' | 'not_pending'>;
}

/** Which of its methods read and which write (the rate limit holds writes until it admits the request). */
export const INVITATION_REPOSITORY_ACCESS: PortAccess<InvitationRepository> = {
  findForUser: 'read',
  listForUser: 'read',
  listForWorkspace: 'read',
  create: 'write',
  accept: 'write',
  decline: 'write',
};

type Deps = { directory: DirectoryRepository; invitations: InvitationRepository; now: Date };

/**
 * Invites a user to the workspace with a role (its active owners, or a platform
 * credential). 422 on `user_id` when the user is a member already or has a pending
 * invitation there; 404 for a workspace that does not exist (to a platform credential).
 */
export async function inviteMember(actor: DirectoryActor, command: { workspaceId: number; userId: number; role: Role }, deps: Deps & { newId: () => string }): Promise<Invitation> {
  const actorRef: DirectoryRef = { kind: 'member', id: actor.userId };
  const inviteeRef: DirectoryRef = { kind: 'member', id: command.userId };
  const workspaceRef: DirectoryRef = { kind: 'workspace', id: command.workspaceId };
  const loaded = await deps.directory.load(command.workspaceId, [actorRef, inviteeRef, workspaceRef]);
  assertMayManage(actor, loaded.get(refKey(actorRef)), { kind: 'member', read: false });
  if (!loaded.has(refKey(workspaceRef))) throw new NotFoundError('The workspace was not found.');
  if (loaded.has(refKey(inviteeRef))) throw new ValidationError({ user_id: [ALREADY_MEMBER] });
  const createdAt = toApiTimestamp(deps.now);
  const invitation: Invitation = {
    id: deps.newId(),
    workspaceId: command.workspaceId,
    userId: command.userId,
    role: command.role,
    status: 'pending',
    invitedBy: actor.userId,
    createdAt,
    expiresAt: toApiTimestamp(new Date(deps.now.getTime() + INVITATION_LIFETIME_DAYS * 86_400_000)),
    decidedAt: null,
  };
  const created = await deps.invitations.create(invitation, deps.now);
  if (created === 'member') throw new ValidationError({ user_id: [ALREADY_MEMBER] });
  if (created === 'pending') throw new ValidationError({ user_id: ['The user already has a pending invitation to this workspace.'] });
  return invitation;
}

const ALREADY_MEMBER = 'The user is already a member of this workspace.';

/**
 * The caller's own invitations that are still pending (no `workspaceId`), or a workspace's
 * invitations, the latest per invitee (its owners and executive managers, or a platform
 * credential).
 */
export async function listInvitations(actor: DirectoryActor, query: { workspaceId?: number }, deps: Deps): Promise<Invitation[]> {
  if (query.workspaceId === undefined) return (await deps.invitations.listForUser(actor.userId)).filter((invitation) => statusOf(invitation, deps.now) === 'pending');
  const actorRef: DirectoryRef = { kind: 'member', id: actor.userId };
  const [loaded, invitations] = await Promise.all([deps.directory.load(query.workspaceId, [actorRef]), deps.invitations.listForWorkspace(query.workspaceId)]);
  assertMayManage(actor, loaded.get(refKey(actorRef)), { kind: 'member', read: true });
  return invitations;
}

/**
 * The caller's own invitation as it stands: 404 for anyone else's (nothing revealed). Already
 * answered the way asked (`decision`), it is that answer: a client's retry of an accept
 * whose answer was lost gets its 200, not a 409. Answered otherwise, or expired → 409.
 */
async function invitationToAnswer(userId: number, id: string, decision: 'accepted' | 'declined', deps: Pick<Deps, 'invitations' | 'now'>): Promise<{ pending: Invitation } | { answered: Invitation }> {
  const invitation = await deps.invitations.findForUser(userId, id);
  if (!invitation) throw new NotFoundError('The invitation was not found.');
  const status = statusOf(invitation, deps.now);
  if (status === decision) return { answered: invitation };
  if (status !== 'pending') throw new InvitationNotPendingError();
  return { pending: invitation };
}

/**
 * The invited user joins: the membership (active, with the invitation's role) and the
 * invitation's decision are one transaction, so an invitation is accepted at most once and
 * never after it expired; accepting it again answers it as it is (idempotent). Two round trips.
 */
export async function acceptInvitation(userId: number, id: string, deps: Pick<Deps, 'invitations' | 'now'>): Promise<Invitation> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const found = await invitationToAnswer(userId, id, 'accepted', deps);
    if ('answered' in found) return found.answered;
    const invitation = found.pending;
    const at = toApiTimestamp(deps.now);
    const member: DirectoryRecord = {
      kind: 'member',
      workspaceId: invitation.workspaceId,
      id: userId,
      fields: { role: invitation.role, status: 'active', name: null, email: null },
      revision: 1,
      sourceVersion: null,
      updatedAt: at,
      updatedBy: userId,
    };
    const accepted = await deps.invitations.accept(invitation, member, deps.now);
    if (accepted === 'accepted') return { ...invitation, status: 'accepted', decidedAt: at };
    if (accepted === 'member') throw new AlreadyMemberError();
    // Decided or expired meanwhile: read again, which answers why.
  }
  throw new DependencyUnavailableError();
}

/** The invited user declines: the invitation can no longer be accepted (declining it again answers it as it is). */
export async function declineInvitation(userId: number, id: string, deps: Pick<Deps, 'invitations' | 'now'>): Promise<Invitation> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const found = await invitationToAnswer(userId, id, 'declined', deps);
    if ('answered' in found) return found.answered;
    if ((await deps.invitations.decline(found.pending, deps.now)) === 'declined') return { ...found.pending, status: 'declined', decidedAt: toApiTimestamp(deps.now) };
  }
  throw new DependencyUnavailableError();
}
