import { describe, expect, it } from "vitest";
import { addDays, formatTime, localParts, minutesBetween, todayIn } from "./time";

describe("restaurant clock", () => {
  it("shows the restaurant's wall time, not the machine's", () => {
    // 18:30 UTC in winter is 19:30 in Amsterdam and 13:30 in New York
    expect(formatTime("2026-12-05T18:30:00Z", "Europe/Amsterdam", "en-GB")).toBe("19:30");
    expect(formatTime("2026-12-05T18:30:00Z", "America/New_York", "en-GB")).toBe("13:30");
  });

  it("follows daylight saving time on the change-over day", () => {
    // Amsterdam goes from UTC+2 to UTC+1 on 25 October 2026 at 03:00 local
    expect(localParts("2026-10-25T00:30:00Z", "Europe/Amsterdam")).toEqual({
      day: "2026-10-25",
      time: "02:30",
    });
    expect(localParts("2026-10-25T01:30:00Z", "Europe/Amsterdam")).toEqual({
      day: "2026-10-25",
      time: "02:30",
    });
    expect(localParts("2026-10-25T18:00:00Z", "Europe/Amsterdam").time).toBe("19:00");
  });

  it("knows the restaurant's date when the guest's differs", () => {
    const lateInLondon = new Date("2026-12-05T23:30:00Z");
    expect(todayIn("Europe/London", lateInLondon)).toBe("2026-12-05");
    expect(todayIn("Europe/Amsterdam", lateInLondon)).toBe("2026-12-06");
  });

  it("adds calendar days across months and DST", () => {
    expect(addDays("2026-10-24", 2)).toBe("2026-10-26");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("counts whole minutes", () => {
    expect(minutesBetween("2026-12-05T18:00:00Z", "2026-12-05T18:47:59Z")).toBe(47);
  });
});
