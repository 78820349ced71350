import { describe, expect, it } from "vitest";
import { CATALOGUES } from "./messages";
import { dayIsFull, groupSlots, partOfDay, reasonKey, type Slot } from "./slots";

function slot(time: string, service = "dinner", available = true, reason: string | null = null): Slot {
  return {
    date: "2026-12-05",
    time: `${time}:00`,
    starts_at: `2026-12-05T${time}:00Z`,
    ends_at: `2026-12-05T${time}:00Z`,
    available,
    reason,
    service,
    table_numbers: [],
  };
}

describe("slot grouping", () => {
  it("puts times in the part of the day they fall in", () => {
    expect(partOfDay("09:30:00")).toBe("morning");
    expect(partOfDay("12:00")).toBe("afternoon");
    expect(partOfDay("16:59")).toBe("afternoon");
    expect(partOfDay("17:00")).toBe("evening");
    expect(partOfDay("00:30")).toBe("evening"); // after midnight belongs to the night
  });

  it("groups by service in the order listed, then by part of the day", () => {
    const groups = groupSlots([
      slot("11:30", "lunch"),
      slot("12:00", "lunch"),
      slot("18:00", "dinner"),
      slot("19:00", "dinner"),
      slot("00:15", "dinner"),
    ]);
    expect(groups.map((g) => g.service)).toEqual(["lunch", "dinner"]);
    expect(groups[0]?.parts.map((p) => [p.part, p.slots.length])).toEqual([
      ["morning", 1],
      ["afternoon", 1],
    ]);
    expect(groups[1]?.parts.map((p) => [p.part, p.slots.length])).toEqual([["evening", 3]]);
  });
});

describe("closed slot reasons", () => {
  it("words each reason the API gives, full in every language", () => {
    expect(reasonKey("no_table_fits")).toBe("reasonFullyBooked");
    expect(reasonKey("pacing_limit_reached")).toBe("reasonFullyBooked");
    expect(reasonKey("too_short_notice")).toBe("reasonTooShortNotice");
    expect(reasonKey("special_day_closed")).toBe("reasonClosed");
    expect(reasonKey("something_new")).toBe("reasonOther");
    expect(reasonKey(null)).toBe("reasonOther");
    expect(CATALOGUES.en[reasonKey("no_table_fits")]).toBe("fully booked");
    expect(CATALOGUES.en[reasonKey("too_short_notice")]).toBe("too short notice");
    expect(CATALOGUES.nl[reasonKey("no_table_fits")]).toBe("volgeboekt");
  });

  it("offers the waitlist only for a full day, not a closed or an open one", () => {
    expect(dayIsFull([slot("18:00", "d", false, "no_table_fits")], null)).toBe(true);
    expect(dayIsFull([slot("18:00", "d", false), slot("19:00")], null)).toBe(false);
    expect(dayIsFull([], "outside_opening_hours")).toBe(false);
    expect(dayIsFull([], null)).toBe(false);
  });
});

describe("catalogues", () => {
  it("keep the placeholders of English in every language", () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [locale, messages] of Object.entries(CATALOGUES)) {
      for (const [key, text] of Object.entries(CATALOGUES.en)) {
        const own = messages[key as keyof typeof messages];
        expect(own, `${locale}.${key}`).toBeTruthy();
        expect(names(own), `${locale}.${key}`).toEqual(names(text));
      }
    }
  });
});
