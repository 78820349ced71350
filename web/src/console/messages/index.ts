// The console's catalogues, one per language the guest widget speaks.
import type { Locale } from "../../shared/i18n";
import { de } from "./de";
import { en, type Messages } from "./en";
import { es } from "./es";
import { fr } from "./fr";
import { it } from "./it";
import { nl } from "./nl";

export { LANGUAGE_NAMES } from "../../shared/i18n";
export type { Messages } from "./en";

export const CATALOGUES: Record<Locale, Messages> = { en, nl, de, fr, es, it };


/** A closed set's word (a status, a channel) in the catalogue, else the API's own value. */
export function wordFor(words: Readonly<Record<string, string>>, value: string): string {
  return Object.hasOwn(words, value) ? (words[value] ?? value) : value;
}
