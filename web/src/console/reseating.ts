// The optimizer's re-seating of a service, in the host's words: which services run on a
// day, and each proposed move as "guest: table 4 → table 2".
import type { components } from "../api/schema";

export type Plan = components["schemas"]["PlanOut"];
type ServiceHours = Pick<components["schemas"]["ServiceHours"], "weekday" | "name">;

export interface MoveShown {
  reservationId: string;
  guest: string;
  from: string;
  to: string;
}

/** The names of the services run on `day` (ISO date) by the weekly hours (0 = Monday). */
export function servicesOn(day: string, services: readonly ServiceHours[]): string[] {
  const weekday = (new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7;
  const names = services.filter((s) => s.weekday === weekday).map((s) => s.name);
  return [...new Set(names)];
}

/** A plan's moves with guest names and table numbers (ids the screen does not know stay ids). */
export function movesShown(
  plan: Plan,
  guests: ReadonlyMap<string, string>,
  tableNumbers: ReadonlyMap<string, string>,
): MoveShown[] {
  const numbers = (ids: readonly string[]) =>
    ids.map((id) => tableNumbers.get(id) ?? id).join(" + ");
  return plan.moves.map((move) => ({
    reservationId: move.reservation_id,
    guest: guests.get(move.reservation_id) ?? move.reservation_id,
    from: numbers(move.from_table_ids),
    to: numbers(move.to_table_ids),
  }));
}
