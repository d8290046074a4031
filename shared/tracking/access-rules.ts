import { ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from '../errors.ts';
import type { Membership, Role } from './model.ts';
import type { WorkspaceContext } from './ports.ts';

/** Roles that may track time for other members of their workspace. */
const MANAGING_ROLES: ReadonlySet<Role> = new Set(['owner', 'executive_manager']);

/**
 * Check 5: the caller manages the workspace. An unknown workspace, a non-member and an
 * inactive member all get the same 403, so that the answer reveals nothing.
 */
export function assertManagesWorkspace(actor: Membership | undefined): asserts actor is Membership {
  if (!isManager(actor)) throw new ForbiddenError();
}

/** An active owner or executive manager. */
export const isManager = (actor: Membership | undefined): actor is Membership => !!actor && actor.status === 'active' && MANAGING_ROLES.has(actor.role);

/** Check 6: the target user is an active member of the workspace. */
export function assertActiveMember(target: Membership | undefined): asserts target is Membership {
  if (target?.status !== 'active') throw new NotFoundError('The selected user is not an active member of this workspace.');
}

/** Project viewers see projects but never track time on them. */
export function canTrackTime(member: Membership): boolean {
  return member.role !== 'project_viewer';
}

/** The work a tracker or an entry is recorded on. */
export type WorkReference = { userId: number; contractId: number | null; taskId: number | null };

/** Checks 7 and 8: the referenced records exist in this workspace, fit together, and the member may track time. */
export function assertWorkFits(work: WorkReference, context: Pick<WorkspaceContext, 'target' | 'contract' | 'task'> & Partial<Pick<WorkspaceContext, 'archivedProjects'>>) {
  if (work.contractId !== null && !context.contract) throw new NotFoundError('The selected contract was not found in this workspace.');
  if (work.taskId !== null && !context.task) throw new NotFoundError('The selected task was not found in this workspace.');
  const { target, contract, task } = context;
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  if (target && !canTrackTime(target)) add('user_id', 'The selected user cannot track time in this workspace.');
  if (contract && contract.userId !== work.userId) add('contract_id', 'The selected contract does not belong to this user.');
  if (contract && contract.status !== 'active') add('contract_id', 'The selected contract is paused.');
  if (contract && context.archivedProjects?.has(contract.projectId)) add('contract_id', "The selected contract's project is archived.");
  if (task && task.status === 'closed') add('task_id', 'The selected task is closed.');
  if (contract && task && task.projectId !== contract.projectId) add('task_id', "The selected task does not belong to the contract's project.");
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}
