// Which one-tap actions a host sees for a reservation, by its status (the lifecycle of
// rules/state_machine.py). The API still judges each tap: a stale screen gets its 409.
import type { components } from "../api/schema";

export type ReservationStatus = components["schemas"]["ReservationStatus"];
export type StaffRole = components["schemas"]["StaffRole"];
export type ServiceAction = "confirm" | "decline" | "check-in" | "complete" | "no-show" | "cancel";

const ACTIONS: Record<ReservationStatus, readonly ServiceAction[]> = {
  held: ["cancel"],
  pending_confirmation: ["check-in", "no-show", "cancel"],
  confirmed: ["check-in", "no-show", "cancel"],
  seated: ["complete", "cancel"],
  completed: [],
  no_show: [],
  cancelled_by_guest: [],
  cancelled_by_restaurant: [],
  expired: [],
  declined: [],
};

/** The service actions offered for a reservation in `status`, in the order shown; a
 * booking awaiting the restaurant's confirmation is confirmed or declined by a manager. */
export function actionsFor(status: ReservationStatus, role: StaffRole = "host"): readonly ServiceAction[] {
  if (status === "pending_confirmation" && role !== "host") {
    return ["confirm", "decline", ...ACTIONS[status]];
  }
  return ACTIONS[status];
}

/** Whether the party may be moved to other tables (active reservations only). */
export function canMove(status: ReservationStatus): boolean {
  return ["held", "pending_confirmation", "confirmed", "seated"].includes(status);
}

/** Whether the reservation still takes a table (shown on the timeline and the floor). */
export function isActive(status: ReservationStatus): boolean {
  return canMove(status);
}
