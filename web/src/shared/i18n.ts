// The six languages the guest messages speak; each app keeps its own catalogues, typed so
// that a key missing in one language fails `tsc`.

export const LOCALES = ["en", "nl", "de", "fr", "es", "it"] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language's own name, for the language menus. */
export const LANGUAGE_NAMES: Record<Locale, string> = {
  en: "English",
  nl: "Nederlands",
  de: "Deutsch",
  fr: "Français",
  es: "Español",
  it: "Italiano",
};

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** The first of the browser's preferred languages we speak, else English. */
export function pickLocale(preferred: readonly string[], fallback: Locale = "en"): Locale {
  for (const tag of preferred) {
    const language = tag.toLowerCase().split("-")[0] ?? "";
    if (isLocale(language)) return language;
  }
  return fallback;
}

/** "{count} guests" with {count} filled in; unknown placeholders stay visible. */
export function interpolate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
