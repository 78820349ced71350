// The console's language: the staff member's own choice (the header's menu, remembered in
// this browser's localStorage), else the browser's languages, else English.
import { isLocale, type Locale, pickLocale } from "../shared/i18n";

export const LANGUAGE_KEY = "console.language";

/** The part of `Storage` the choice needs (a stand-in in tests). */
export type ChoiceStore = Pick<Storage, "getItem" | "setItem">;

function browserStore(): ChoiceStore | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage disabled (a locked-down profile): the browser's language then
  }
}

/** The language chosen earlier in this browser, if it is one we speak. */
export function storedLanguage(store: ChoiceStore | null = browserStore()): Locale | null {
  try {
    const value = store?.getItem(LANGUAGE_KEY) ?? null;
    return value && isLocale(value) ? value : null;
  } catch {
    return null;
  }
}

/** Remember the staff member's choice for the next visit (a full storage only forgets it). */
export function rememberLanguage(locale: Locale, store: ChoiceStore | null = browserStore()): void {
  try {
    store?.setItem(LANGUAGE_KEY, locale);
  } catch {
    // the choice then lasts until the tab reloads
  }
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === "undefined") return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

/** The stored choice, else the first of the browser's languages we speak, else English. */
export function firstLanguage(
  store: ChoiceStore | null = browserStore(),
  preferred: readonly string[] = browserLanguages(),
): Locale {
  return storedLanguage(store) ?? pickLocale(preferred);
}

/** The locale dates, times, numbers and money are written in (British English for "en":
 * a 24-hour clock and the day before the month, as the console always showed). */
export function intlLocale(locale: Locale): string {
  return locale === "en" ? "en-GB" : locale;
}
