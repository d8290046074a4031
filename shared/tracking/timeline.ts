import type { Span, TimelineSlot } from './model.ts';

/**
 * The overlap rule's storage-free half (docs/data-model.md "The timeline"). Every entry's
 * interval is kept as a span on the timeline slots it covers: one slot per UTC day it
 * overlaps when it lasts at most 24 h (one or two days), else the one slot of long entries
 * (only a stop records those: a tracker may run for days). Whoever checks an interval reads
 * the slots it covers and the long slot, so that any entry it could overlap is among what
 * it read, and commits only if none of them changed meanwhile.
 */
export const LONG_SLOT = 'LONG';
export const MAX_ENTRY_SECONDS = 24 * 60 * 60;
/** What one day's slot may hold for one member: far beyond a day's work, well below DynamoDB's item size. */
export const MAX_SPANS_PER_SLOT = 1000;

/** How often a write whose checked state changed meanwhile reads and checks again before answering 503. */
export const WRITE_ATTEMPTS = 8;

/**
 * Before attempt `attempt` (from 1) of a write that lost to a concurrent one: a short, random
 * pause growing with the attempts, so that writers contending for one member's timeline
 * spread out instead of colliding again in step.
 */
export function contentionPause(attempt: number): Promise<void> {
  if (attempt === 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** Math.min(attempt, 5)));
}

const DAY_MS = 86_400_000;
const utcDate = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);

/** The slots an interval [start, end) (epoch seconds) is recorded on. */
export function slotsOf(start: number, end: number): string[] {
  if (end - start > MAX_ENTRY_SECONDS) return [LONG_SLOT];
  const first = utcDate(start * 1000);
  const last = utcDate(Math.max(start, end - 1) * 1000);
  return first === last ? [first] : [first, last];
}

/** What a check of [start, end) must read: the slots the interval covers, and the long one. */
export function slotsToCheck(start: number, end: number): string[] {
  const days = new Set<string>();
  for (let day = Math.floor((start * 1000) / DAY_MS) * DAY_MS; day < Math.max(end, start + 1) * 1000; day += DAY_MS) days.add(utcDate(day));
  return [...days, LONG_SLOT];
}

/** The spans of `slots` that overlap [start, end); touching ends do not overlap. `ignore`: the entry being edited. */
export function overlapping(slots: readonly TimelineSlot[], start: number, end: number, ignore?: string): Span[] {
  return slots.flatMap((slot) => slot.spans).filter((span) => span.entryId !== ignore && span.start < end && span.end > start);
}

/** The distinct spans of `timeline` that start in [from, to) (epoch seconds), newest first as the list orders them. */
export function startingBetween(timeline: readonly TimelineSlot[], from: number, to: number): Span[] {
  const spans = new Map<string, Span>();
  for (const span of timeline.flatMap((slot) => slot.spans)) if (span.start >= from && span.start < to) spans.set(span.entryId, span);
  return [...spans.values()].sort((a, b) => b.start - a.start || (a.entryId < b.entryId ? 1 : a.entryId > b.entryId ? -1 : 0));
}

export const epochSeconds = (timestamp: string) => Math.floor(Date.parse(timestamp) / 1000);
