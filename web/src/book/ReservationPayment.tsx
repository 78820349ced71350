// The deposit or card guarantee: the provider's page (the local checkout in development,
// Adyen's Drop-in on the manage page in production) returns to the confirmation screen.
import { formatTime } from "../shared/time";
import { confirmationScreen, type Held, type Restaurant, serverManageUrl } from "./api";
import { money } from "./format";
import { useT } from "./i18n";

interface Props {
  restaurant: Restaurant;
  held: Held;
}

/** Where the guest pays: the local checkout (asked to come back here), else the Drop-in. */
export function paymentUrl(held: Held): string {
  const checkout = held.payment?.checkout_url;
  if (!checkout) return serverManageUrl(held.id, held.manage_token);
  const back = `/book${confirmationScreen(held.restaurant_id, held.id, held.manage_token)}`;
  return `${checkout}?return_to=${encodeURIComponent(back)}`;
}

export function ReservationPayment({ restaurant, held }: Props) {
  const { t, locale } = useT();
  const amount = money(
    held.payment?.amount_minor ?? held.deposit.amount_minor,
    held.payment?.currency ?? held.deposit.currency,
    locale,
  );
  const guarantee = held.deposit.mode === "guarantee";
  return (
    <section aria-labelledby="pay-title">
      <h2 tabIndex={-1} id="pay-title">{t("payTitle")}</h2>
      <p>{guarantee ? t("payGuarantee", { amount }) : t("payDeposit", { amount })}</p>
      {held.hold_expires_at && (
        <p className="muted">
          {t("payBefore", { time: formatTime(held.hold_expires_at, restaurant.timezone, locale) })}
        </p>
      )}
      <p>
        <a className="button" href={paymentUrl(held)}>
          {guarantee ? t("storeCard") : t("payNow")}
        </a>
      </p>
    </section>
  );
}
