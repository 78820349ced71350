// The timeline's grid maths: columns are real elapsed minutes from the window's start, so a
// day when the clocks change has one hour fewer or more; labels show the restaurant's clock.
import { localParts } from "../shared/time";

const MINUTE = 60_000;

/** The zone's offset from UTC in minutes at `instant` (Amsterdam in summer: 120). */
export function zoneOffsetMinutes(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(instant));
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    value("year"),
    value("month") - 1,
    value("day"),
    value("hour"),
    value("minute"),
    value("second"),
  );
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / MINUTE);
}

/**
 * The instant (epoch ms) the restaurant's clock shows `time` (HH:MM) on `day`. A wall time
 * skipped by a spring-forward gap maps to the instant just after the gap.
 */
export function wallTimeInstant(day: string, time: string, timeZone: string): number {
  const [hours = 0, minutes = 0] = time.split(":").map(Number);
  const asUtc = Date.parse(`${day}T00:00:00Z`) + (hours * 60 + minutes) * MINUTE;
  // two rounds: the offset at the first guess may differ from the offset at the answer
  let guess = asUtc - zoneOffsetMinutes(asUtc, timeZone) * MINUTE;
  guess = asUtc - zoneOffsetMinutes(guess, timeZone) * MINUTE;
  return guess;
}

export interface Window {
  start: number;
  end: number;
  slotMinutes: number;
}

/** The number of grid columns of the window. */
export function columnCount(window: Window): number {
  return Math.ceil((window.end - window.start) / (window.slotMinutes * MINUTE));
}

/**
 * The CSS grid placement (1-based column, span) of [starts, ends) in the window, clipped
 * to it; null when it lies wholly outside.
 */
export function placement(
  starts: string | number,
  ends: string | number,
  window: Window,
): { column: number; span: number } | null {
  const slot = window.slotMinutes * MINUTE;
  const from = Math.max(new Date(starts).getTime(), window.start);
  const to = Math.min(new Date(ends).getTime(), window.end);
  if (to <= from) return null;
  const first = Math.floor((from - window.start) / slot);
  const last = Math.ceil((to - window.start) / slot);
  return { column: first + 1, span: Math.max(1, last - first) };
}

/** The hour marks within the window: grid column and the restaurant's wall time. */
export function hourMarks(window: Window, timeZone: string): { column: number; label: string }[] {
  const marks: { column: number; label: string }[] = [];
  const slot = window.slotMinutes * MINUTE;
  for (let at = window.start; at < window.end; at += slot) {
    const label = localParts(new Date(at), timeZone).time;
    if (label.endsWith(":00")) marks.push({ column: (at - window.start) / slot + 1, label });
  }
  return marks;
}

/**
 * The day's window: from 10:00 (or the first booking's hour) to 23:00 (or the last
 * booking's end), whole hours on the restaurant's clock.
 */
export function dayWindow(
  day: string,
  timeZone: string,
  spans: { starts_at: string; ends_at: string }[],
  slotMinutes = 15,
): Window {
  let start = wallTimeInstant(day, "10:00", timeZone);
  let end = wallTimeInstant(day, "23:00", timeZone);
  for (const span of spans) {
    start = Math.min(start, new Date(span.starts_at).getTime());
    end = Math.max(end, new Date(span.ends_at).getTime());
  }
  const hour = 60 * MINUTE;
  // whole hours of the zone (offsets of 30 or 45 minutes included)
  const offset = zoneOffsetMinutes(start, timeZone) * MINUTE;
  start = Math.floor((start + offset) / hour) * hour - offset;
  end = Math.ceil((end + offset) / hour) * hour - offset;
  return { start, end, slotMinutes };
}
