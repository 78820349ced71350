import { describe, expect, it } from "vitest";
import { interpolate, pickLocale } from "./i18n";

describe("languages", () => {
  it("takes the first preferred language we speak", () => {
    expect(pickLocale(["pt-BR", "de-AT", "en"])).toBe("de");
    expect(pickLocale(["ja"])).toBe("en");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(interpolate("{count} guests at {time}", { count: 4, time: "19:30" })).toBe(
      "4 guests at 19:30",
    );
    expect(interpolate("{missing}", {})).toBe("{missing}");
  });
});
