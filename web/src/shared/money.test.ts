import { describe, expect, it } from "vitest";
import { money } from "./money";

describe("money", () => {
  it("reads minor units in each currency's own decimals", () => {
    expect(money(2500, "EUR", "en-GB")).toBe("€25.00");
    expect(money(1500, "JPY", "en-GB")).toBe("JP¥1,500");
    expect(money(6000, "BHD", "en-GB")).toBe("BHD\u00a06.000"); // a no-break space
  });
});
