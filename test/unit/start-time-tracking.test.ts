import { describe, expect, it } from '@jest/globals';
import { ForbiddenError, NotFoundError, TrackerAlreadyActiveError, ValidationError } from '../../shared/errors.ts';
import type { ActiveTracker, Contract, Membership, Task } from '../../shared/tracking/model.ts';
import type { TrackingRepository, WorkspaceContext } from '../../shared/tracking/ports.ts';
import { defaultWorkspaceSettings } from '../../shared/tracking/workspace-settings.ts';
import { startTimeTracking, type StartTimeTrackingCommand } from '../../shared/tracking/start-time-tracking.ts';

/** The rules of a start, in order, with an in-memory repository (no DynamoDB involved). */
const member = (userId: number, role: Membership['role'] = 'regular_user', status: Membership['status'] = 'active'): Membership => ({
  workspaceId: 1,
  userId,
  role,
  status,
});
const contract = (overrides: Partial<Contract> = {}): Contract => ({ workspaceId: 1, contractId: 20, userId: 101, projectId: 10, status: 'active', ...overrides });
const task = (overrides: Partial<Task> = {}): Task => ({ workspaceId: 1, taskId: 5, projectId: 10, title: 'Landing page', status: 'open', ...overrides });

function repositoryWith(context: Partial<WorkspaceContext>, existing?: ActiveTracker) {
  const written: ActiveTracker[] = [];
  const repository: TrackingRepository = {
    loadContext: async () => ({
      actor: member(100, 'owner'),
      target: member(101),
      contract: undefined,
      task: undefined,
      tracker: undefined,
      timeline: [],
      entry: undefined,
      dayCounts: {},
      settings: defaultWorkspaceSettings(1),
      archivedProjects: new Set<number>(),
      ...context,
    }),
    createActiveTracker: async (tracker) => {
      if (existing) return { created: false, existing };
      written.push(tracker);
      return { created: true };
    },
    stopTracker: async () => 'gone',
    writeTimeEntry: async () => 'conflict',
    listTimeEntries: async () => [],
    timeEntryHistory: async () => ({ versions: [], nextCursor: null }),
    listActiveTrackers: async () => [],
    writeWorkspaceSettings: async () => 'conflict',
  };
  return { repository, written };
}

const command = (overrides: Partial<StartTimeTrackingCommand> = {}): StartTimeTrackingCommand => ({
  workspaceId: 1,
  userId: 101,
  contractId: null,
  taskId: null,
  activityDescription: null,
  ...overrides,
});

const deps = (repository: TrackingRepository, requestId = 'req-1') => ({
  repository,
  now: new Date('2024-01-15T10:30:00.789Z'),
  newId: () => 'tracker-1',
  requestId,
});

describe('startTimeTracking', () => {
  it('builds the tracker from the command, the contract and the clock (second precision, +00:00)', async () => {
    const { repository, written } = repositoryWith({ contract: contract(), task: task() });
    const tracker = await startTimeTracking(100, command({ contractId: 20, taskId: 5, activityDescription: 'Work' }), deps(repository));
    expect(tracker).toEqual({
      trackerId: 'tracker-1',
      workspaceId: 1,
      userId: 101,
      contractId: 20,
      projectId: 10,
      taskId: 5,
      activityDescription: 'Work',
      startTime: '2024-01-15T10:30:00+00:00',
      startedBy: 100,
      taskTitle: 'Landing page',
      requestId: 'req-1',
      autoStopAt: null,
    });
    expect(written).toEqual([tracker]);
  });

  it("refuses an archived project's contract and a closed task (422 on the field), writing nothing", async () => {
    const archived = repositoryWith({ contract: contract(), task: task(), archivedProjects: new Set([10]) });
    await expect(startTimeTracking(100, command({ contractId: 20, taskId: 5 }), deps(archived.repository))).rejects.toMatchObject({
      errors: { contract_id: ["The selected contract's project is archived."] },
    });
    const closed = repositoryWith({ contract: contract(), task: task({ status: 'closed' }) });
    await expect(startTimeTracking(100, command({ contractId: 20, taskId: 5 }), deps(closed.repository))).rejects.toMatchObject({ errors: { task_id: ['The selected task is closed.'] } });
    expect([...archived.written, ...closed.written]).toEqual([]);
  });

  it("binds the tracker to the workspace's limit in force when it starts", async () => {
    const limited = { ...defaultWorkspaceSettings(1), maxTrackerDurationMinutes: 90, version: 1 };
    const { repository, written } = repositoryWith({ settings: limited });
    const tracker = await startTimeTracking(100, command({}), deps(repository));
    expect(tracker.autoStopAt).toBe('2024-01-15T12:00:00+00:00');
    expect(written).toEqual([tracker]);
  });

  it.each([
    ['no membership', undefined],
    ['a regular user', member(100, 'regular_user')],
    ['a team manager', member(100, 'team_manager')],
    ['a project manager', member(100, 'project_manager')],
    ['an inactive owner', member(100, 'owner', 'inactive')],
  ])('forbids a caller with %s', async (_name, actor) => {
    const { repository, written } = repositoryWith({ actor });
    await expect(startTimeTracking(100, command(), deps(repository))).rejects.toBeInstanceOf(ForbiddenError);
    expect(written).toEqual([]);
  });

  it('allows an executive manager', async () => {
    const { repository } = repositoryWith({ actor: member(100, 'executive_manager') });
    await expect(startTimeTracking(100, command(), deps(repository))).resolves.toMatchObject({ userId: 101 });
  });

  it('checks the caller (403) before the target (404)', async () => {
    const { repository } = repositoryWith({ actor: member(100, 'regular_user'), target: undefined });
    await expect(startTimeTracking(100, command(), deps(repository))).rejects.toBeInstanceOf(ForbiddenError);
  });

  it.each([
    ['absent', undefined],
    ['inactive', member(101, 'regular_user', 'inactive')],
  ])('404s a target who is %s', async (_name, target) => {
    const { repository } = repositoryWith({ target });
    await expect(startTimeTracking(100, command(), deps(repository))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('404s a missing contract before a not-fitting task, and a missing task', async () => {
    const { repository } = repositoryWith({ contract: undefined, task: task({ projectId: 99 }) });
    await expect(startTimeTracking(100, command({ contractId: 20, taskId: 5 }), deps(repository))).rejects.toThrow(/contract/);
    const second = repositoryWith({ contract: contract(), task: undefined });
    await expect(startTimeTracking(100, command({ contractId: 20, taskId: 5 }), deps(second.repository))).rejects.toThrow(/task/);
  });

  it('reports every misfit at once, per field (422)', async () => {
    const { repository, written } = repositoryWith({
      target: member(101, 'project_viewer'),
      contract: contract({ userId: 999, status: 'paused' }),
      task: task({ projectId: 11 }),
    });
    const error = await startTimeTracking(100, command({ contractId: 20, taskId: 5 }), deps(repository)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual({
      user_id: ['The selected user cannot track time in this workspace.'],
      contract_id: ['The selected contract does not belong to this user.', 'The selected contract is paused.'],
      task_id: ["The selected task does not belong to the contract's project."],
    });
    expect(written).toEqual([]);
  });

  it('returns the stored tracker when the existing one was written by this very request (SDK retry)', async () => {
    const ours = { ...(await startTimeTracking(100, command(), deps(repositoryWith({}).repository))), trackerId: 'first' };
    const { repository } = repositoryWith({}, ours);
    await expect(startTimeTracking(100, command(), deps(repository, 'req-1'))).resolves.toEqual(ours);
  });

  it('refuses when another request holds the tracker (400)', async () => {
    const theirs = { ...(await startTimeTracking(100, command(), deps(repositoryWith({}).repository))), requestId: 'other' };
    const { repository } = repositoryWith({}, theirs);
    await expect(startTimeTracking(100, command(), deps(repository, 'req-1'))).rejects.toBeInstanceOf(TrackerAlreadyActiveError);
  });
});
