// The booking as the guest keeps it: when, the reference, add to calendar, and the way to
// change or cancel it. Also where the payment page returns to.
import { Link } from "wouter";
import { formatDay, formatTime, localParts } from "../shared/time";
import { calendarUrl, manageScreen, type Reservation, type Restaurant } from "./api";
import { useT } from "./i18n";
import { ProblemNotice } from "./ProblemNotice";
import { awaitingPayment, useReservation } from "./useReservation";

interface Props {
  restaurant: Restaurant;
  reservationId: string;
  token: string;
}

/** "Saturday 5 December 2026 at 19:30, 4 guests" on the restaurant's clock. */
export function useWhen(restaurant: Restaurant, r: Reservation): string {
  const { t, locale } = useT();
  return t("yourTable", {
    day: formatDay(localParts(r.starts_at, restaurant.timezone).day, locale),
    time: formatTime(r.starts_at, restaurant.timezone, locale),
    count: r.party_size,
  });
}

export function ReservationConfirmation({ restaurant, reservationId, token }: Props) {
  const { t } = useT();
  const { reservation, problem } = useReservation(reservationId, token, true);
  if (!reservation) {
    return problem ? <ProblemNotice problem={{ ...problem, detail: t("linkInvalid") }} /> : <p>{t("loading")}</p>;
  }
  return <Confirmed restaurant={restaurant} reservation={reservation} token={token} />;
}

function Confirmed({ restaurant, reservation: r, token }: { restaurant: Restaurant; reservation: Reservation; token: string }) {
  const { t } = useT();
  const when = useWhen(restaurant, r);
  const confirmed = r.status === "confirmed";
  return (
    <section aria-labelledby="done-title">
      <h2 tabIndex={-1} id="done-title">{confirmed ? t("confirmedTitle") : t("pendingTitle")}</h2>
      <p className="chosen">
        <strong>{when}</strong>
      </p>
      <p>{t("reference", { reference: r.reference })}</p>
      {awaitingPayment(r) && <p aria-live="polite">{t("waitingPayment")}</p>}
      {r.status === "pending_confirmation" && <p>{t("awaitingRestaurant")}</p>}
      <p className="actions">
        <a className="button" href={calendarUrl(r.id, token)} download={`${r.reference}.ics`}>
          {t("addToCalendar")}
        </a>
        <Link className="button secondary" href={manageScreen(r.restaurant_id, r.id, token)}>
          {t("manage")}
        </Link>
      </p>
    </section>
  );
}
