// The widget's calls to the public API, each answering an Outcome (never throwing).
import type { components } from "../api/schema";
import { apiClient, type Outcome, outcome } from "../shared/api";

type Schemas = components["schemas"];
export type Restaurant = Schemas["RestaurantOut"];
export type Availability = Schemas["AvailabilityOut"];
export type Alternative = Schemas["AlternativeSlot"];
export type Held = Schemas["HeldReservation"];
export type Reservation = Schemas["ReservationOut"];
export type BookingBody = Schemas["ReservationCreate"];
export type WaitlistBody = Schemas["WaitlistJoin"];
export type Waitlisted = Schemas["WaitlistJoined"];

const client = apiClient();
const PREFIX = "/api/v1/reservations";

export function getRestaurant(id: string): Promise<Outcome<Restaurant>> {
  return outcome(
    client.GET("/api/v1/reservations/restaurants/{restaurant_id}", {
      params: { path: { restaurant_id: id } },
    }),
  );
}

export function getAvailability(
  id: string,
  day: string,
  partySize: number,
  time?: string,
): Promise<Outcome<Availability>> {
  return outcome(
    client.GET("/api/v1/reservations/restaurants/{restaurant_id}/availability", {
      params: {
        path: { restaurant_id: id },
        query: { date: day, party_size: partySize, ...(time ? { time } : {}) },
      },
    }),
  );
}

/** Book; `key` is the attempt's Idempotency-Key (the same on a retry). */
export function book(body: BookingBody, key: string): Promise<Outcome<Held>> {
  return outcome(
    client.POST("/api/v1/reservations/reservations", {
      body,
      params: { header: { "idempotency-key": key } },
    }),
  );
}

export function getReservation(id: string, token: string): Promise<Outcome<Reservation>> {
  return outcome(
    client.GET("/api/v1/reservations/reservations/{reservation_id}", {
      params: { path: { reservation_id: id }, query: { token } },
    }),
  );
}

export function modifyReservation(
  id: string,
  token: string,
  body: Schemas["ReservationModify"],
): Promise<Outcome<Reservation>> {
  return outcome(
    client.PATCH("/api/v1/reservations/reservations/{reservation_id}", {
      params: { path: { reservation_id: id }, query: { token } },
      body,
    }),
  );
}

export function cancelReservation(id: string, token: string): Promise<Outcome<Reservation>> {
  return outcome(
    client.POST("/api/v1/reservations/reservations/{reservation_id}/cancel", {
      params: { path: { reservation_id: id }, query: { token } },
    }),
  );
}

export function joinWaitlist(body: WaitlistBody): Promise<Outcome<Waitlisted>> {
  return outcome(client.POST("/api/v1/reservations/waitlist", { body }));
}

/** The calendar file of a booking (its manage token opens it). */
export function calendarUrl(id: string, token: string): string {
  return `${PREFIX}/reservations/${id}/calendar.ics?token=${encodeURIComponent(token)}`;
}

/** The server-rendered manage page, which mounts Adyen's Drop-in for a pending payment. */
export function serverManageUrl(id: string, token: string): string {
  return `/manage/${id}?token=${encodeURIComponent(token)}`;
}

/** The widget's own manage screen of a booking. */
export function manageScreen(restaurantId: string, id: string, token: string): string {
  return `/${restaurantId}/manage/${id}?token=${encodeURIComponent(token)}`;
}

/** The widget's confirmation screen of a booking. */
export function confirmationScreen(restaurantId: string, id: string, token: string): string {
  return `/${restaurantId}/reservation/${id}?token=${encodeURIComponent(token)}`;
}
