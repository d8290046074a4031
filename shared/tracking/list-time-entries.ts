import { ValidationError } from '../errors.ts';
import type { TimeEntry } from './model.ts';
import { loadManagedMember } from './member-access.ts';
import type { TrackingRepository } from './ports.ts';

export type TimeEntriesQuery = { workspaceId: number; userId: number; date: string; page: number; perPage: number };

export type TimeEntriesPage = {
  entries: TimeEntry[];
  pagination: { total: number; per_page: number; current_page: number; last_page: number };
};

/** Completed entries that started on one UTC day, newest first, one page of them. */
export async function listTimeEntries(actorUserId: number, query: TimeEntriesQuery, deps: { repository: TrackingRepository }): Promise<TimeEntriesPage> {
  if (!isCalendarDate(query.date)) throw new ValidationError({ date: ['The date field must be a valid date.'] });
  await loadManagedMember(actorUserId, query, deps.repository);
  const all = await deps.repository.listTimeEntries(query.workspaceId, query.userId, query.date);
  const offset = (query.page - 1) * query.perPage;
  return {
    entries: all.slice(offset, offset + query.perPage),
    pagination: {
      total: all.length,
      per_page: query.perPage,
      current_page: query.page,
      last_page: Math.max(1, Math.ceil(all.length / query.perPage)),
    },
  };
}

/** "2024-02-30" matches the pattern but is no date. */
function isCalendarDate(value: string): boolean {
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}
