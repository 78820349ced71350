// The guest's manage screen (from the confirmation or the link in their messages):
// the booking, paying a pending deposit, changing it and cancelling within the policy.
import { useState } from "react";
import type { Problem } from "../../shared/problem";
import { formatDay, formatTime, localParts } from "../../shared/time";
import { cancelReservation, modifyReservation, type Reservation, type Restaurant, serverManageUrl } from "../api";
import { money } from "../format";
import { useT } from "../i18n";
import type { MessageKey } from "../messages";
import { ProblemNotice } from "../ProblemNotice";
import { useWhen } from "../ReservationConfirmation";
import { type Choice, TimeSlotSelection } from "../TimeSlotSelection";
import { useReservation } from "../useReservation";

interface Props {
  restaurant: Restaurant;
  reservationId: string;
  token: string;
}

const ACTIVE = ["held", "pending_confirmation", "confirmed"];

function statusKey(status: string): MessageKey {
  if (status === "held") return "statusHeld";
  if (status === "pending_confirmation") return "statusPending";
  if (status === "confirmed") return "statusConfirmed";
  if (status.startsWith("cancelled")) return "statusCancelled";
  return "statusEnded";
}

export function MyReservation({ restaurant, reservationId, token }: Props) {
  const { t } = useT();
  const { reservation, setReservation, problem } = useReservation(reservationId, token, true);
  if (!reservation) {
    return problem ? <ProblemNotice problem={{ ...problem, detail: t("linkInvalid") }} /> : <p>{t("loading")}</p>;
  }
  return <Manage restaurant={restaurant} reservation={reservation} token={token} onChanged={setReservation} />;
}

interface ManageProps {
  restaurant: Restaurant;
  reservation: Reservation;
  token: string;
  onChanged: (r: Reservation) => void;
}

function Manage({ restaurant, reservation: r, token, onChanged }: ManageProps) {
  const { t, locale } = useT();
  const tz = restaurant.timezone;
  const when = useWhen(restaurant, r);
  const [mode, setMode] = useState<"view" | "modify" | "cancel">("view");
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const active = ACTIVE.includes(r.status);
  const amount = money(r.deposit.amount_minor, r.deposit.currency, locale);
  const moment = (iso: string) =>
    `${formatDay(localParts(iso, tz).day, locale)}, ${formatTime(iso, tz, locale)}`;
  const deadline = r.cancellation_deadline_at;
  const late = deadline !== null && new Date(deadline).getTime() < Date.now();

  async function change(choice: Choice) {
    setBusy(true);
    const result = await modifyReservation(r.id, token, {
      date: choice.date,
      time: choice.time,
      party_size: choice.partySize,
    });
    setBusy(false);
    if (!result.ok) return setProblem(result.problem);
    onChanged(result.data);
    setProblem(null);
    setMode("view");
    setNotice("changed");
  }

  async function cancel() {
    setBusy(true);
    const result = await cancelReservation(r.id, token);
    setBusy(false);
    if (!result.ok) return setProblem(result.problem);
    onChanged(result.data);
    setProblem(null);
    setMode("view");
    setNotice("cancelled");
  }

  return (
    <section aria-labelledby="manage-title">
      <h2 tabIndex={-1} id="manage-title">{t("manageTitle")}</h2>
      {notice && (
        <p className="notice" role="status">
          {t(notice)}
        </p>
      )}
      <dl className="details">
        <dt className="visually-hidden">{t("date")}</dt>
        <dd>
          <strong>{when}</strong>
        </dd>
        <dt>{t("status")}</dt>
        <dd>{t(statusKey(r.status))}</dd>
        <dd className="muted">{t("reference", { reference: r.reference })}</dd>
        {r.deposit.mode !== "none" && (
          <>
            <dt>{t("deposit")}</dt>
            <dd>
              {r.deposit.status === "pending"
                ? t("depositPending", { amount })
                : t("depositPaid", { amount })}
            </dd>
          </>
        )}
      </dl>
      <ProblemNotice problem={problem} />
      {active && r.deposit.status === "pending" && (
        <p>
          <a className="button" href={serverManageUrl(r.id, token)}>
            {t("payPending")}
          </a>
        </p>
      )}
      {active && mode === "view" && (
        <p className="actions">
          <button type="button" onClick={() => setMode("modify")}>
            {t("modify")}
          </button>
          <button type="button" className="secondary" onClick={() => setMode("cancel")}>
            {t("cancel")}
          </button>
        </p>
      )}
      {active && mode === "modify" && (
        <div className="panel">
          <TimeSlotSelection
            restaurant={restaurant}
            idPrefix="modify"
            initialParty={r.party_size}
            initialDay={r.date}
            onPick={(choice) => void change(choice)}
          />
          <p>
            <button type="button" className="secondary" disabled={busy} onClick={() => setMode("view")}>
              {t("back")}
            </button>
          </p>
        </div>
      )}
      {active && mode === "cancel" && (
        <div className="panel">
          {deadline && !late && <p>{t("cancelFree", { time: moment(deadline) })}</p>}
          {late && r.deposit.mode === "deposit" && <p>{t("cancelLate")}</p>}
          <p className="actions">
            <button type="button" disabled={busy} onClick={() => void cancel()}>
              {t("cancelConfirm")}
            </button>
            <button type="button" className="secondary" onClick={() => setMode("view")}>
              {t("keep")}
            </button>
          </p>
        </div>
      )}
    </section>
  );
}
