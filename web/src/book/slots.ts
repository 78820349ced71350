// What the slot list shows: slots grouped by service and part of the day, and a closed
// slot's reason in the guest's words.
import type { components } from "../api/schema";
import type { MessageKey } from "./messages";

export type Slot = components["schemas"]["SlotOut"];
export type PartOfDay = "morning" | "afternoon" | "evening";

export interface SlotGroup {
  service: string;
  parts: { part: PartOfDay; slots: Slot[] }[];
}

/** The part of the day of a local wall time "HH:MM[:SS]" (after midnight is evening). */
export function partOfDay(localTime: string): PartOfDay {
  const hour = Number(localTime.slice(0, 2));
  if (hour >= 5 && hour < 12) return "morning";
  if (hour >= 12 && hour < 17) return "afternoon";
  return "evening";
}

/** Slots by service (in the order they come), then by part of the day, in time order. */
export function groupSlots(slots: readonly Slot[]): SlotGroup[] {
  const groups: SlotGroup[] = [];
  for (const slot of slots) {
    let group = groups.find((g) => g.service === slot.service);
    if (!group) {
      group = { service: slot.service, parts: [] };
      groups.push(group);
    }
    const part = partOfDay(slot.time);
    let bucket = group.parts.find((p) => p.part === part);
    if (!bucket) {
      bucket = { part, slots: [] };
      group.parts.push(bucket);
    }
    bucket.slots.push(slot);
  }
  return groups;
}

const REASONS: Record<string, MessageKey> = {
  no_table_fits: "reasonFullyBooked",
  pacing_limit_reached: "reasonFullyBooked",
  too_short_notice: "reasonTooShortNotice",
  beyond_booking_window: "reasonBeyondWindow",
  party_too_large: "reasonPartyTooLarge",
  party_too_small: "reasonPartyTooSmall",
  outside_opening_hours: "reasonClosed",
  special_day_closed: "reasonClosed",
  in_the_past: "reasonPast",
};

/** The message key for why a slot (or a day) cannot be booked. */
export function reasonKey(reason: string | null | undefined): MessageKey {
  return (reason && REASONS[reason]) || "reasonOther";
}

/** Whether the day has nothing to book, so the guest may join the waitlist instead. */
export function dayIsFull(slots: readonly Slot[], closedReason: string | null): boolean {
  if (closedReason) return false; // a closed day has no waitlist
  return slots.length > 0 && slots.every((s) => !s.available);
}
