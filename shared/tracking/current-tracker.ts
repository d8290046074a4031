import { secondsBetween } from './api-time.ts';
import { slotsToCheck, startingBetween } from './timeline.ts';
import { loadTrackerInManagedWorkspace, type MemberQuery } from './member-access.ts';
import type { ActiveTracker } from './model.ts';
import type { TrackingRepository } from './ports.ts';
import { dateIn, daysInZoneSeconds } from './time-zones.ts';

export type CurrentTracker = {
  tracker: ActiveTracker | undefined;
  /** Seconds the tracker has run. */
  totalSeconds: number;
  /** Today in the asked zone. */
  date: string;
  /** Today's entries (by the day their start falls on, as the list counts them) plus the running tracker, in whole minutes. */
  totalMinutes: number;
};

/** A day in any zone (at most 25 h long, offsets from -12 to +14 h) that contains now lies within this many seconds of it. */
const ANY_ZONES_DAY_SECONDS = 26 * 60 * 60;

/**
 * The member's running tracker in this workspace, if any, and today's tracked time (the
 * spans of today's entries): one strongly consistent batch read. Without `tz`, today is the
 * workspace's: its settings come in the same batch, with the timeline slots of every UTC day
 * that today can cover in any zone.
 */
export async function currentTracker(
  actorUserId: number,
  query: MemberQuery & { timeZone: string | undefined },
  deps: { repository: TrackingRepository; now: Date; forSelf?: boolean },
): Promise<CurrentTracker> {
  const nowSeconds = Math.floor(deps.now.getTime() / 1000);
  const todayIn = (timeZone: string) => {
    const date = dateIn(deps.now, timeZone);
    return { date, ...daysInZoneSeconds(date, date, timeZone) };
  };
  const asked = query.timeZone === undefined ? undefined : todayIn(query.timeZone);
  const slots = asked ? slotsToCheck(asked.from, asked.to) : slotsToCheck(nowSeconds - ANY_ZONES_DAY_SECONDS, nowSeconds + ANY_ZONES_DAY_SECONDS);
  const { tracker, timeline, settings } = await loadTrackerInManagedWorkspace(actorUserId, query, deps.repository, { slots, withSettings: !asked, forSelf: deps.forSelf });
  const { date, from, to } = asked ?? todayIn(settings.timeZone);
  const totalSeconds = tracker ? secondsBetween(new Date(tracker.startTime), deps.now) : 0;
  const tracked = startingBetween(timeline, from, to).reduce((sum, span) => sum + span.end - span.start, 0) + totalSeconds;
  return { tracker, totalSeconds, date, totalMinutes: Math.floor(tracked / 60) };
}
