import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { Membership, Role } from './model.ts';

/** Roles that may track time for other members of their workspace. */
const MANAGING_ROLES: ReadonlySet<Role> = new Set(['owner', 'executive_manager']);

/**
 * Check 5: the caller manages the workspace. An unknown workspace, a non-member and an
 * inactive member all get the same 403, so that the answer reveals nothing.
 */
export function assertManagesWorkspace(actor: Membership | undefined): asserts actor is Membership {
  if (!actor || actor.status !== 'active' || !MANAGING_ROLES.has(actor.role)) throw new ForbiddenError();
}

/** Check 6: the target user is an active member of the workspace. */
export function assertActiveMember(target: Membership | undefined): asserts target is Membership {
  if (!target || target.status !== 'active') throw new NotFoundError('The selected user is not an active member of this workspace.');
}

/** Project viewers see projects but never track time on them. */
export function canTrackTime(member: Membership): boolean {
  return member.role !== 'project_viewer';
}
