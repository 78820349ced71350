// The header's language menu: each language in its own words, so a host finds theirs
// whatever language the console is in now.
import { isLocale, LOCALES } from "../shared/i18n";
import { useLanguage } from "./context";
import { LANGUAGE_NAMES } from "./messages";

export function LanguageMenu() {
  const { language, t, choose } = useLanguage();
  return (
    <div className="language">
      <label htmlFor="console-language">{t.language}</label>
      <select
        id="console-language"
        value={language}
        onChange={(e) => isLocale(e.target.value) && choose(e.target.value)}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </div>
  );
}
