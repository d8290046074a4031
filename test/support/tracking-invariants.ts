/**
 * The invariants of the tracker lifecycle, checked against what is stored after a storm of
 * concurrent starts and stops (used by the reliability suite and the HTTP benchmark):
 * - a user never has more than one tracker;
 * - every time entry matches one successful start (same user, start time, description)
 *   and one successful stop (its time_entry_id), and ends after it starts;
 * - every successful start is either still running or became exactly one entry;
 * - every running tracker, and nothing else, has its mark in its workspace (who is clocked in).
 *
 * A 503 says the outcome is unknown (the write may have applied after its answer was lost:
 * on a slow machine the SDK's 2 s timeout fires while DynamoDB commits). Such a request may
 * account for at most one tracker or entry of its own (a start: of its user and description;
 * a stop: one entry of its user), never for more, and never for a second tracker.
 */
export type StartOutcome = { userId: number; startTime: string; description: string };
export type StopOutcome = { userId: number; timeEntryId: string };
export type UncertainOutcomes = { starts: Array<{ userId: number; description: string }>; stops: Array<{ userId: number }> };

export function trackingInvariantViolations(items: Record<string, unknown>[], starts: StartOutcome[], stops: StopOutcome[], uncertain: UncertainOutcomes = { starts: [], stops: [] }): string[] {
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
  // Each 503 may have applied: it accounts for at most one record of its own.
  const uncertainStarts = new Map<string, number>();
  for (const start of uncertain.starts) uncertainStarts.set(`${start.userId}|${start.description}`, (uncertainStarts.get(`${start.userId}|${start.description}`) ?? 0) + 1);
  const uncertainStops = new Map<number, number>();
  for (const stop of uncertain.stops) uncertainStops.set(stop.userId, (uncertainStops.get(stop.userId) ?? 0) + 1);
  const takeUncertain = <K>(pool: Map<K, number>, key: K) => {
    const count = pool.get(key) ?? 0;
    if (count === 0) return false;
    pool.set(key, count - 1);
    return true;
  };
  const stoppedIds = new Set(stops.map((stop) => stop.timeEntryId));
  if (stoppedIds.size !== stops.length) violations.push('two successful stops answered with the same time entry');

  for (const entry of entries) {
    if (!take(startKey(entry.user_id, entry.start_time, entry.activity_description)) && !takeUncertain(uncertainStarts, `${entry.user_id}|${entry.activity_description}`))
      violations.push(`entry ${entry.entry_id} has no matching successful start`);
    if (!stoppedIds.delete(String(entry.entry_id)) && !takeUncertain(uncertainStops, Number(entry.user_id))) violations.push(`entry ${entry.entry_id} has no matching successful stop`);
    if (String(entry.end_time) < String(entry.start_time)) violations.push(`entry ${entry.entry_id} ends before it starts`);
  }
  for (const id of stoppedIds) violations.push(`stop answered entry ${id}, which is not stored`);
  for (const tracker of trackers) {
    if (!take(startKey(tracker.user_id, tracker.start_time, tracker.activity_description)) && !takeUncertain(uncertainStarts, `${tracker.user_id}|${tracker.activity_description}`))
      violations.push(`tracker of user ${tracker.user_id} has no matching successful start`);
  }
  for (const [key, count] of unmatchedStarts) if (count > 0) violations.push(`successful start ${key} left neither a tracker nor an entry`);
  // Who is clocked in: exactly one mark in its workspace per running tracker, and none without one.
  const marks = new Map(items.filter((item) => String(item.sk).startsWith('ACTIVE#')).map((item) => [`${item.workspace_id}|${item.user_id}`, item]));
  for (const tracker of trackers) {
    const mark = marks.get(`${tracker.workspace_id}|${tracker.user_id}`);
    if (!mark || mark.tracker_id !== tracker.tracker_id) violations.push(`tracker of user ${tracker.user_id} has no mark in workspace ${tracker.workspace_id}`);
    marks.delete(`${tracker.workspace_id}|${tracker.user_id}`);
  }
  for (const key of marks.keys()) violations.push(`mark ${key} has no running tracker`);
  return violations;
}

/**
 * The invariants of time entries, checked against what is stored (the e2e suite and the storm):
 * - a member's entries in a workspace never overlap each other, nor the member's tracker
 *   running there (touching ends are fine);
 * - every entry's listed copy and by-id copy agree, and neither is without the other;
 * - the timeline holds exactly one span per entry on each slot it covers, and nothing else;
 * - the history holds the entry's current version;
 * - each day's count is the number of entries listed as starting that UTC day.
 */
export function timeEntryViolations(items: Record<string, unknown>[]): string[] {
  const violations: string[] = [];
  const strip = ({ pk: _pk, sk: _sk, entity: _entity, ...rest }: Record<string, unknown>) => JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
  const listed = items.filter((item) => String(item.sk).startsWith('ENTRY#'));
  const byId = new Map(items.filter((item) => String(item.pk).startsWith('TIMEENTRY#') && item.sk === 'ENTRY').map((item) => [String(item.entry_id), item]));
  const versions = new Set(items.filter((item) => item.entity === 'time_entry_version').map((item) => `${item.entry_id}|${item.version}`));
  const seconds = (value: unknown) => Math.floor(Date.parse(String(value)) / 1000);

  for (const entry of listed) {
    const copy = byId.get(String(entry.entry_id));
    if (!copy) violations.push(`entry ${entry.entry_id} has no by-id copy`);
    else if (strip(copy) !== strip(entry)) violations.push(`entry ${entry.entry_id}: its copies differ`);
    if (!versions.has(`${entry.entry_id}|${entry.version ?? 1}`)) violations.push(`entry ${entry.entry_id}: no history version ${entry.version ?? 1}`);
  }
  const listedIds = new Set(listed.map((entry) => String(entry.entry_id)));
  for (const id of byId.keys()) if (!listedIds.has(id)) violations.push(`entry ${id} has a by-id copy but is not listed`);

  const byMember = new Map<string, Record<string, unknown>[]>();
  for (const entry of listed) {
    const key = `${entry.workspace_id}|${entry.user_id}`;
    byMember.set(key, [...(byMember.get(key) ?? []), entry]);
  }
  // Half-open intervals: touching ends do not overlap, and an entry of 0 s (a stop in the second of its start) overlaps nothing.
  const overlap = (a: Record<string, unknown>, b: Record<string, unknown>) => seconds(a.start_time) < seconds(b.end_time) && seconds(b.start_time) < seconds(a.end_time);
  for (const [member, entries] of byMember) {
    for (const [i, a] of entries.entries()) {
      for (const b of entries.slice(i + 1)) if (overlap(a, b)) violations.push(`member ${member}: entries ${a.entry_id} and ${b.entry_id} overlap`);
    }
  }
  for (const tracker of items.filter((item) => item.sk === 'TRACKER')) {
    for (const entry of byMember.get(`${tracker.workspace_id}|${tracker.user_id}`) ?? []) {
      if (seconds(entry.end_time) > seconds(tracker.start_time) && seconds(entry.end_time) > seconds(entry.start_time))
        violations.push(`member ${tracker.workspace_id}|${tracker.user_id}: entry ${entry.entry_id} overlaps the running tracker`);
    }
  }

  const spans = new Map<string, string>();
  for (const slot of items.filter((item) => String(item.sk).startsWith('TIMELINE#'))) {
    for (const [name, value] of Object.entries(slot)) {
      if (!name.startsWith('span_')) continue;
      spans.set(`${slot.pk}|${slot.sk}|${name.slice('span_'.length)}`, JSON.stringify(value));
    }
  }
  const expected = new Map<string, string>();
  for (const entry of listed) {
    const start = seconds(entry.start_time);
    const end = seconds(entry.end_time);
    const slots = end - start > 86_400 ? ['LONG'] : [...new Set([new Date(start * 1000).toISOString().slice(0, 10), new Date(Math.max(start, end - 1) * 1000).toISOString().slice(0, 10)])];
    for (const slot of slots) expected.set(`${entry.pk}|TIMELINE#${slot}|${entry.entry_id}`, JSON.stringify([start, end]));
  }
  const counted = new Map<string, number>();
  for (const item of items.filter((candidate) => String(candidate.sk).startsWith('COUNTS#'))) {
    for (const [name, value] of Object.entries(item)) if (/^d_\d{2}$/.test(name) && value !== 0) counted.set(`${item.pk}|${String(item.sk).slice(7)}-${name.slice(2)}`, Number(value));
  }
  const listedPerDay = new Map<string, number>();
  for (const entry of listed) listedPerDay.set(`${entry.pk}|${String(entry.start_time).slice(0, 10)}`, (listedPerDay.get(`${entry.pk}|${String(entry.start_time).slice(0, 10)}`) ?? 0) + 1);
  for (const key of new Set([...counted.keys(), ...listedPerDay.keys()])) {
    if ((counted.get(key) ?? 0) !== (listedPerDay.get(key) ?? 0)) violations.push(`day ${key} counts ${counted.get(key) ?? 0} entries, ${listedPerDay.get(key) ?? 0} are listed`);
  }
  for (const [key, value] of expected) if (spans.get(key) !== value) violations.push(`span ${key} is ${spans.get(key) ?? 'missing'}, expected ${value}`);
  for (const key of spans.keys()) if (!expected.has(key)) violations.push(`span ${key} belongs to no entry`);
  return violations;
}
