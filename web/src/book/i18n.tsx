// The widget's language: the guest's choice (?lang=, the menu), else the browser's.
import { createContext, useContext } from "react";
import { interpolate, type Locale } from "../shared/i18n";
import { CATALOGUES, type MessageKey } from "./messages";

export interface Translator {
  locale: Locale;
  t: (key: MessageKey, values?: Record<string, string | number>) => string;
}

/** A translator for `locale`. */
export function translator(locale: Locale): Translator {
  const messages = CATALOGUES[locale];
  return { locale, t: (key, values) => interpolate(messages[key], values ?? {}) };
}

export const I18n = createContext<Translator>(translator("en"));

/** The current language's translator. */
export function useT(): Translator {
  return useContext(I18n);
}
