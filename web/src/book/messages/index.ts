// The widget's catalogues, one per language the guest messages speak.
import type { Locale } from "../../shared/i18n";
import { de } from "./de";
import { en, type Messages } from "./en";
import { es } from "./es";
import { fr } from "./fr";
import { it } from "./it";
import { nl } from "./nl";

export { LANGUAGE_NAMES } from "../../shared/i18n";
export type { MessageKey, Messages } from "./en";

export const CATALOGUES: Record<Locale, Messages> = { en, nl, de, fr, es, it };

