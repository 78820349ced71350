// The restaurant's name and address above every screen, and the language menu.
import { isLocale, LOCALES, type Locale } from "../shared/i18n";
import type { Restaurant } from "./api";
import { useT } from "./i18n";
import { LANGUAGE_NAMES } from "./messages";

interface Props {
  restaurant: Restaurant | null;
  onLocale: (locale: Locale) => void;
}

export function RestaurantDetails({ restaurant, onLocale }: Props) {
  const { t, locale } = useT();
  const place = restaurant
    ? [restaurant.address_line1, restaurant.city, restaurant.cuisine_type].filter(Boolean).join(" · ")
    : "";
  return (
    <header className="book-header">
      <div>
        <h1>{restaurant?.name ?? t("title")}</h1>
        {place && <p className="muted">{place}</p>}
      </div>
      <div className="field language">
        <label htmlFor="ui-language">{t("language")}</label>
        <select
          id="ui-language"
          value={locale}
          onChange={(e) => isLocale(e.target.value) && onLocale(e.target.value)}
        >
          {LOCALES.map((l) => (
            <option key={l} value={l} lang={l}>
              {LANGUAGE_NAMES[l]}
            </option>
          ))}
        </select>
      </div>
    </header>
  );
}
