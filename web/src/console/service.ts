// The host's service calls, one place: each answers an Outcome the screen shows.
import { type ApiClient, outcome } from "../shared/api";
import type { components } from "../api/schema";
import type { ServiceAction } from "./actions";

export type StaffReservation = components["schemas"]["StaffReservationOut"];

const PATHS = {
  confirm: "/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}/confirm",
  decline: "/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}/decline",
  "check-in": "/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}/check-in",
  complete: "/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}/complete",
  "no-show": "/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}/no-show",
  cancel: "/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}/cancel",
} as const;

/** Confirm, decline, check in, complete, no-show or cancel a reservation. */
export function runAction(
  api: ApiClient,
  restaurantId: string,
  reservationId: string,
  action: ServiceAction,
) {
  const params = { path: { restaurant_id: restaurantId, reservation_id: reservationId } };
  return outcome<StaffReservation>(api.POST(PATHS[action], { params }));
}

/** Put the party on `tableIds` (the API checks capacity and overlaps: 409 when taken). */
export function moveToTables(
  api: ApiClient,
  restaurantId: string,
  reservationId: string,
  tableIds: string[],
) {
  return outcome(
    api.POST(
      "/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}/assign-tables",
      {
        params: { path: { restaurant_id: restaurantId, reservation_id: reservationId } },
        body: { table_ids: tableIds, lock: false },
      },
    ),
  );
}

/** "Anna B." for a reservation's guest. */
export function guestName(r: { guest_first_name: string; guest_last_name?: string | null }) {
  return r.guest_last_name ? `${r.guest_first_name} ${r.guest_last_name.slice(0, 1)}.` : r.guest_first_name;
}
