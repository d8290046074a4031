import { ValidationError } from '../errors.ts';
import { assertManagesActiveMember } from './member-access.ts';
import type { TimeEntry } from './model.ts';
import { paginate, type Pagination } from './pagination.ts';
import type { TrackingRepository } from './ports.ts';

export type TimeEntriesQuery = { workspaceId: number; userId: number; date: string; page: number; perPage: number };

export type TimeEntriesPage = { entries: TimeEntry[]; pagination: Pagination };

/** Completed entries that started on one UTC day, newest first, one page of them. */
export async function listTimeEntries(actorUserId: number, query: TimeEntriesQuery, deps: { repository: TrackingRepository }): Promise<TimeEntriesPage> {
  if (!isCalendarDate(query.date)) throw new ValidationError({ date: ['The date field must be a valid date.'] });
  await assertManagesActiveMember(actorUserId, query, deps.repository);
  const { items, pagination } = paginate(await deps.repository.listTimeEntries(query.workspaceId, query.userId, query.date), query.page, query.perPage);
  return { entries: items, pagination };
}

/** "2024-02-30" matches the pattern but is no date. */
export function isCalendarDate(value: string): boolean {
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}
