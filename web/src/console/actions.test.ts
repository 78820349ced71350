import { describe, expect, it } from "vitest";
import { actionsFor, canMove, type ReservationStatus } from "./actions";

describe("actionsFor", () => {
  it("seats or no-shows a confirmed party, completes a seated one", () => {
    expect(actionsFor("confirmed")).toEqual(["check-in", "no-show", "cancel"]);
    expect(actionsFor("pending_confirmation")).toEqual(["check-in", "no-show", "cancel"]);
    expect(actionsFor("seated")).toEqual(["complete", "cancel"]);
    expect(actionsFor("held")).toEqual(["cancel"]);
  });

  it("lets a manager confirm or decline a booking awaiting the restaurant, not a host", () => {
    expect(actionsFor("pending_confirmation", "manager")).toEqual([
      "confirm",
      "decline",
      "check-in",
      "no-show",
      "cancel",
    ]);
    expect(actionsFor("pending_confirmation", "admin")).toContain("confirm");
    expect(actionsFor("pending_confirmation", "host")).not.toContain("confirm");
    expect(actionsFor("confirmed", "manager")).not.toContain("confirm");
  });

  it("offers nothing once a reservation has ended", () => {
    const ended: ReservationStatus[] = [
      "completed",
      "no_show",
      "cancelled_by_guest",
      "cancelled_by_restaurant",
      "expired",
      "declined",
    ];
    for (const status of ended) {
      expect(actionsFor(status)).toEqual([]);
      expect(canMove(status)).toBe(false);
    }
  });

  it("never offers complete before check-in", () => {
    for (const status of ["held", "pending_confirmation", "confirmed"] as const) {
      expect(actionsFor(status)).not.toContain("complete");
      expect(canMove(status)).toBe(true);
    }
  });
});
