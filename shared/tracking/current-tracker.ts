import { secondsBetween } from './api-time.ts';
import { slotsToCheck, startingBetween } from './timeline.ts';
import { loadTrackerInManagedWorkspace, type MemberQuery } from './member-access.ts';
import type { ActiveTracker } from './model.ts';
import type { TrackingRepository } from './ports.ts';
import { dateIn, daysInZoneSeconds } from './time-zones.ts';
import { zoneOfQuery } from './list-time-entries.ts';

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
 * The member's running tracker in this workspace, if any, and today's tracked time (the
 * spans of today's entries): one strongly consistent batch read.
 */
export async function currentTracker(actorUserId: number, query: MemberQuery & { timeZone: string | undefined }, deps: { repository: TrackingRepository; now: Date }): Promise<CurrentTracker> {
  const timeZone = await zoneOfQuery(actorUserId, query.workspaceId, query.timeZone, deps.repository);
  const date = dateIn(deps.now, timeZone);
  const { from, to } = daysInZoneSeconds(date, date, timeZone);
  const { tracker, timeline } = await loadTrackerInManagedWorkspace(actorUserId, query, deps.repository, { slots: slotsToCheck(from, to) });
  const totalSeconds = tracker ? secondsBetween(new Date(tracker.startTime), deps.now) : 0;
  const tracked = startingBetween(timeline, from, to).reduce((sum, span) => sum + span.end - span.start, 0) + totalSeconds;
  return { tracker, totalSeconds, date, totalMinutes: Math.floor(tracked / 60) };
}
