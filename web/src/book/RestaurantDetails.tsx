// The restaurant's name and address above every screen, and the language menu.
import type { Locale } from "../shared/i18n";
import { LanguageSelect } from "../shared/LanguageSelect";
import type { Restaurant } from "./api";
import { useT } from "./i18n";

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
        <LanguageSelect id="ui-language" label={t("language")} value={locale} onChange={onLocale} />
      </div>
    </header>
  );
}
