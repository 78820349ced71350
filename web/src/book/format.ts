// Dates, times and money as the guest reads them, always on the restaurant's clock.
import { formatDay, formatTime, localParts } from "../shared/time";

/** "Saturday 5 December 2026" for the restaurant's calendar day of an instant. */
export function dayOf(instant: string, timeZone: string, locale: string): string {
  return formatDay(localParts(instant, timeZone).day, locale);
}

/** "Saturday 5 December 2026, 19:30" for an instant at the restaurant. */
export function momentOf(instant: string, timeZone: string, locale: string): string {
  return `${dayOf(instant, timeZone, locale)}, ${formatTime(instant, timeZone, locale)}`;
}

export { money } from "../shared/money";

/** The query parameter `name` of the page's address. */
export function queryParam(name: string): string | null {
  return new URLSearchParams(globalThis.location?.search ?? "").get(name);
}
