// Times are shown in the restaurant's time zone, never the browser's: a guest in London
// booking a table in Amsterdam sees Amsterdam's clock.

/** "19:30" (or "7:30 PM") for an instant, on the restaurant's clock. */
export function formatTime(instant: string | Date, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone, hour: "numeric", minute: "2-digit" }).format(
    new Date(instant),
  );
}

/** "Saturday 5 December 2026" for a calendar day (YYYY-MM-DD), in `locale`. */
export function formatDay(day: string, locale: string): string {
  // noon UTC of that day is the same calendar day in every zone
  return new Intl.DateTimeFormat(locale, {
    timeZone: "UTC",
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(new Date(`${day}T12:00:00Z`));
}

/** The calendar day (YYYY-MM-DD) and wall time (HH:MM) of an instant in `timeZone`. */
export function localParts(instant: string | Date, timeZone: string): { day: string; time: string } {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return {
    day: `${part("year")}-${part("month")}-${part("day")}`,
    time: `${part("hour")}:${part("minute")}`,
  };
}

/** Today's date (YYYY-MM-DD) at the restaurant. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return localParts(now, timeZone).day;
}

/** The day `days` after `day` (YYYY-MM-DD), by the calendar. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Whole minutes from `from` to `to` (negative when `to` is earlier). */
export function minutesBetween(from: string | Date, to: string | Date): number {
  return Math.floor((new Date(to).getTime() - new Date(from).getTime()) / 60_000);
}
