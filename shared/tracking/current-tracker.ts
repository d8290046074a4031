import { secondsBetween, toApiTimestamp } from './api-time.ts';
import { loadTrackerInManagedWorkspace, type MemberQuery } from './member-access.ts';
import type { ActiveTracker } from './model.ts';
import type { TrackingRepository } from './ports.ts';
import { dateIn, daysInZone } from './time-zones.ts';

export type CurrentTracker = {
  tracker: ActiveTracker | undefined;
  /** Seconds the tracker has run. */
  totalSeconds: number;
  /** Today in the asked zone. */
  date: string;
  /** Today's entries (by the day their start falls on, as the list counts them) plus the running tracker, in whole minutes. */
  totalMinutes: number;
};

/**
 * The member's running tracker in this workspace, if any (one strongly consistent batch
 * read), and today's tracked time (one Query of today's entries, read alongside).
 */
export async function currentTracker(actorUserId: number, query: MemberQuery & { timeZone: string }, deps: { repository: TrackingRepository; now: Date }): Promise<CurrentTracker> {
  const date = dateIn(deps.now, query.timeZone);
  const today = daysInZone(date, date, query.timeZone);
  const [tracker, entries] = await Promise.all([
    loadTrackerInManagedWorkspace(actorUserId, query, deps.repository),
    deps.repository.listTimeEntries(query.workspaceId, query.userId, { from: toApiTimestamp(new Date(today.start)), to: toApiTimestamp(new Date(today.end)) }),
  ]);
  const totalSeconds = tracker ? secondsBetween(new Date(tracker.startTime), deps.now) : 0;
  const tracked = entries.reduce((sum, entry) => sum + entry.durationSeconds, 0) + totalSeconds;
  return { tracker, totalSeconds, date, totalMinutes: Math.floor(tracked / 60) };
}
