import { describe, expect, it } from "vitest";
import { movesShown, type Plan, servicesOn } from "./reseating";

describe("servicesOn", () => {
  const week = [
    { weekday: 0, name: "lunch" },
    { weekday: 0, name: "dinner" },
    { weekday: 4, name: "dinner" },
    { weekday: 6, name: "brunch" },
  ];

  it("takes Monday as weekday 0, as the API does", () => {
    expect(servicesOn("2026-11-30", week)).toEqual(["lunch", "dinner"]); // a Monday
    expect(servicesOn("2026-12-04", week)).toEqual(["dinner"]); // a Friday
    expect(servicesOn("2026-12-06", week)).toEqual(["brunch"]); // a Sunday
    expect(servicesOn("2026-12-01", week)).toEqual([]);
  });
});

describe("movesShown", () => {
  const plan = {
    moves: [
      {
        reservation_id: "r1",
        from_table_ids: ["t2"],
        to_table_ids: ["t1"],
        starts_at: "2026-12-04T18:00:00Z",
        ends_at: "2026-12-04T19:30:00Z",
      },
      {
        reservation_id: "r2",
        from_table_ids: ["t1", "t3"],
        to_table_ids: ["t9"],
        starts_at: "2026-12-04T18:00:00Z",
        ends_at: "2026-12-04T19:30:00Z",
      },
    ],
  } as unknown as Plan;

  it("names the guest and the tables, joined tables with a plus", () => {
    const guests = new Map([["r1", "Ada S."]]);
    const tables = new Map([
      ["t1", "1"],
      ["t2", "2"],
      ["t3", "3"],
    ]);
    expect(movesShown(plan, guests, tables)).toEqual([
      { reservationId: "r1", guest: "Ada S.", from: "2", to: "1" },
      { reservationId: "r2", guest: "r2", from: "1 + 3", to: "t9" },
    ]);
  });
});
