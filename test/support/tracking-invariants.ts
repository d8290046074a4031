/**
 * The invariants of the tracker lifecycle, checked against what is stored after a storm of
 * concurrent starts and stops (used by the reliability suite and the HTTP benchmark):
 * - a user never has more than one tracker;
 * - every time entry matches one successful start (same user, start time, description)
 *   and one successful stop (its time_entry_id), and ends after it starts;
 * - every successful start is either still running or became exactly one entry.
 */
export type StartOutcome = { userId: number; startTime: string; description: string };
export type StopOutcome = { userId: number; timeEntryId: string };

export function trackingInvariantViolations(items: Record<string, unknown>[], starts: StartOutcome[], stops: StopOutcome[]): string[] {
  const violations: string[] = [];
  const trackers = items.filter((item) => item.sk === 'TRACKER');
  const entries = items.filter((item) => String(item.sk).startsWith('ENTRY#'));

  const trackersPerUser = new Map<number, number>();
  for (const tracker of trackers) trackersPerUser.set(Number(tracker.user_id), (trackersPerUser.get(Number(tracker.user_id)) ?? 0) + 1);
  for (const [userId, count] of trackersPerUser) if (count > 1) violations.push(`user ${userId} has ${count} trackers`);

  const startKey = (userId: unknown, startTime: unknown, description: unknown) => `${userId}|${startTime}|${description}`;
  const unmatchedStarts = new Map<string, number>();
  for (const start of starts) {
    const key = startKey(start.userId, start.startTime, start.description);
    unmatchedStarts.set(key, (unmatchedStarts.get(key) ?? 0) + 1);
  }
  const take = (key: string) => {
    const count = unmatchedStarts.get(key) ?? 0;
    if (count === 0) return false;
    unmatchedStarts.set(key, count - 1);
    return true;
  };
  const stoppedIds = new Set(stops.map((stop) => stop.timeEntryId));
  if (stoppedIds.size !== stops.length) violations.push('two successful stops answered with the same time entry');

  for (const entry of entries) {
    if (!take(startKey(entry.user_id, entry.start_time, entry.activity_description))) violations.push(`entry ${entry.entry_id} has no matching successful start`);
    if (!stoppedIds.delete(String(entry.entry_id))) violations.push(`entry ${entry.entry_id} has no matching successful stop`);
    if (String(entry.end_time) < String(entry.start_time)) violations.push(`entry ${entry.entry_id} ends before it starts`);
  }
  for (const id of stoppedIds) violations.push(`stop answered entry ${id}, which is not stored`);
  for (const tracker of trackers) {
    if (!take(startKey(tracker.user_id, tracker.start_time, tracker.activity_description))) violations.push(`tracker of user ${tracker.user_id} has no matching successful start`);
  }
  for (const [key, count] of unmatchedStarts) if (count > 0) violations.push(`successful start ${key} left neither a tracker nor an entry`);
  return violations;
}
