import { describe, expect, it } from "vitest";
import {
  columnCount,
  dayWindow,
  hourMarks,
  placement,
  wallTimeInstant,
  zoneOffsetMinutes,
} from "./timeline";

const AMS = "Europe/Amsterdam";

describe("wallTimeInstant", () => {
  it("reads the restaurant's clock, not the browser's", () => {
    expect(new Date(wallTimeInstant("2026-07-01", "19:30", AMS)).toISOString()).toBe(
      "2026-07-01T17:30:00.000Z",
    );
    expect(new Date(wallTimeInstant("2026-12-01", "19:30", AMS)).toISOString()).toBe(
      "2026-12-01T18:30:00.000Z",
    );
    expect(new Date(wallTimeInstant("2026-12-01", "19:30", "Asia/Kolkata")).toISOString()).toBe(
      "2026-12-01T14:00:00.000Z",
    );
  });

  it("lands on the right side of the clock change", () => {
    // 29 March 2026: 02:00 becomes 03:00 in Amsterdam
    expect(new Date(wallTimeInstant("2026-03-29", "01:30", AMS)).toISOString()).toBe(
      "2026-03-29T00:30:00.000Z",
    );
    expect(new Date(wallTimeInstant("2026-03-29", "03:30", AMS)).toISOString()).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    expect(zoneOffsetMinutes(Date.parse("2026-03-29T00:30:00Z"), AMS)).toBe(60);
    expect(zoneOffsetMinutes(Date.parse("2026-03-29T01:30:00Z"), AMS)).toBe(120);
  });
});

describe("placement", () => {
  const window = {
    start: Date.parse("2026-07-01T08:00:00Z"), // 10:00 in Amsterdam
    end: Date.parse("2026-07-01T21:00:00Z"), // 23:00
    slotMinutes: 15,
  };

  it("puts 19:30-21:00 at column 39 for six quarters", () => {
    expect(placement("2026-07-01T17:30:00Z", "2026-07-01T19:00:00Z", window)).toEqual({
      column: 39,
      span: 6,
    });
    expect(columnCount(window)).toBe(52);
  });

  it("rounds a start down and an end up to whole quarters", () => {
    expect(placement("2026-07-01T08:10:00Z", "2026-07-01T08:20:00Z", window)).toEqual({
      column: 1,
      span: 2,
    });
  });

  it("clips to the window and drops what lies outside", () => {
    expect(placement("2026-07-01T20:30:00Z", "2026-07-01T22:00:00Z", window)).toEqual({
      column: 51,
      span: 2,
    });
    expect(placement("2026-07-01T06:00:00Z", "2026-07-01T07:00:00Z", window)).toBeNull();
  });
});

describe("dayWindow and hourMarks across a clock change", () => {
  it("counts the real hours of a night when the clocks go back", () => {
    // 25 October 2026: 03:00 becomes 02:00 in Amsterdam; a bar open 22:00-04:00 next day
    const spans = [{ starts_at: "2026-10-24T20:00:00Z", ends_at: "2026-10-25T03:00:00Z" }];
    const window = dayWindow("2026-10-24", AMS, spans, 60);
    expect(new Date(window.start).toISOString()).toBe("2026-10-24T08:00:00.000Z");
    expect(new Date(window.end).toISOString()).toBe("2026-10-25T03:00:00.000Z");
    const labels = hourMarks(window, AMS).map((mark) => mark.label);
    // 02:00 happens twice: each real hour has its own column
    expect(labels.slice(-5)).toEqual(["00:00", "01:00", "02:00", "02:00", "03:00"]);
    expect(columnCount(window)).toBe(19);
  });

  it("has one hour fewer when the clocks go forward", () => {
    const spans = [{ starts_at: "2026-03-28T21:00:00Z", ends_at: "2026-03-29T02:00:00Z" }];
    const window = dayWindow("2026-03-28", AMS, spans, 60);
    const labels = hourMarks(window, AMS).map((mark) => mark.label);
    // 22:00 to 04:00 on the clock is five real hours: 02:00 never happens
    expect(labels.slice(-5)).toEqual(["22:00", "23:00", "00:00", "01:00", "03:00"]);
    expect(new Date(window.end).toISOString()).toBe("2026-03-29T02:00:00.000Z");
  });

  it("starts on a whole hour of a half-hour zone", () => {
    const window = dayWindow("2026-12-01", "Asia/Kolkata", [], 15);
    expect(hourMarks(window, "Asia/Kolkata")[0]).toEqual({ column: 1, label: "10:00" });
  });
});
