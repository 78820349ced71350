import { describe, expect, it } from "vitest";
import { LOCALES } from "../shared/i18n";
import { CATALOGUES, LANGUAGE_NAMES, type Messages, wordFor } from "./messages";

/** Every text of a catalogue by its path ("nav.today", "weekdays.0"). */
function texts(messages: Messages): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (value: unknown, path: string) => {
    if (typeof value === "string") found.set(path, value);
    else if (value && typeof value === "object")
      for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
    else found.set(path, `<${typeof value}>`);
  };
  walk(messages, "");
  return found;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const english = texts(CATALOGUES.en);

describe("the console's catalogues", () => {
  it("exist for every language the widget speaks, each named in its own words", () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual([...LOCALES].sort());
    expect(Object.keys(LANGUAGE_NAMES).sort()).toEqual([...LOCALES].sort());
    expect(LANGUAGE_NAMES.nl).toBe("Nederlands");
  });

  it.each(LOCALES.filter((l) => l !== "en"))("%s has exactly English's keys", (locale) => {
    const own = texts(CATALOGUES[locale]);
    expect([...own.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it.each(LOCALES.filter((l) => l !== "en"))("%s keeps each key's placeholders", (locale) => {
    const own = texts(CATALOGUES[locale]);
    for (const [key, text] of english) {
      const translated = own.get(key) ?? "";
      expect(translated.trim(), `${locale}.${key}`).not.toBe("");
      expect(placeholders(translated), `${locale}.${key}`).toEqual(placeholders(text));
    }
  });

  it.each(LOCALES.filter((l) => l !== "en"))("%s is written, not copied from English", (locale) => {
    const own = texts(CATALOGUES[locale]);
    const same = [...english].filter(([key, text]) => own.get(key) === text).map(([key]) => key);
    // brand names, "VIP", "Live", "{minutes} min" and the like may stay as they are
    expect(same.length, same.join(", ")).toBeLessThan(english.size * 0.15);
  });

  it("words a status the catalogue knows, and shows an unknown one as the API sent it", () => {
    expect(wordFor(CATALOGUES.nl.waitlist.entryStatus, "offered")).toBe("tafel aangeboden");
    expect(wordFor(CATALOGUES.de.analytics.channel, "something_new")).toBe("something_new");
    expect(wordFor(CATALOGUES.fr.analytics.channel, "toString")).toBe("toString");
  });
});
