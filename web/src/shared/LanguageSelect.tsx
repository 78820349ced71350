// A menu of the six languages, each named in its own words, so anyone finds theirs
// whatever language the page is in now.
import { isLocale, LANGUAGE_NAMES, LOCALES, type Locale } from "./i18n";

interface Props {
  id: string;
  label: string;
  value: Locale;
  onChange: (locale: Locale) => void;
}

export function LanguageSelect({ id, label, value, onChange }: Props) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => isLocale(e.target.value) && onChange(e.target.value)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </>
  );
}
