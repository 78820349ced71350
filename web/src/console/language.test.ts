import { describe, expect, it } from "vitest";
import { type ChoiceStore, firstLanguage, intlLocale, LANGUAGE_KEY, rememberLanguage, storedLanguage } from "./language";

/** localStorage's part the choice uses, in memory. */
function memory(initial: Record<string, string> = {}): ChoiceStore & { values: Map<string, string> } {
  const values = new Map(Object.entries(initial));
  return {
    values,
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
  };
}

describe("the console's language", () => {
  it("is the staff member's stored choice first, whatever the browser prefers", () => {
    expect(firstLanguage(memory({ [LANGUAGE_KEY]: "fr" }), ["de-DE", "en"])).toBe("fr");
  });

  it("is else the first of the browser's languages the console speaks", () => {
    expect(firstLanguage(memory(), ["pt-BR", "nl-BE", "de"])).toBe("nl");
    expect(firstLanguage(null, ["it-IT"])).toBe("it");
  });

  it("is else English", () => {
    expect(firstLanguage(memory(), ["ja-JP", "pt"])).toBe("en");
    expect(firstLanguage(memory(), [])).toBe("en");
  });

  it("ignores a stored value it does not speak, and a storage that refuses", () => {
    expect(firstLanguage(memory({ [LANGUAGE_KEY]: "pt" }), ["es-ES"])).toBe("es");
    const locked: ChoiceStore = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    expect(firstLanguage(locked, ["de"])).toBe("de");
    expect(() => rememberLanguage("nl", locked)).not.toThrow();
  });

  it("remembers a choice for the next visit", () => {
    const store = memory();
    rememberLanguage("de", store);
    expect(store.values.get(LANGUAGE_KEY)).toBe("de");
    expect(storedLanguage(store)).toBe("de");
    expect(firstLanguage(store, ["en-US"])).toBe("de");
  });

  it("writes English dates and times the British way, as before", () => {
    expect(intlLocale("en")).toBe("en-GB");
    expect(intlLocale("nl")).toBe("nl");
  });
});
