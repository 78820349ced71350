// Joining the waitlist of a full day: a window of start times and the guest's details.
import { type FormEvent, useState } from "react";
import { fieldErrors, type Problem } from "../shared/problem";
import { formatDay, formatTime } from "../shared/time";
import { joinWaitlist, type Restaurant } from "./api";
import { described, FieldError, type GuestForm, GuestDetails } from "./GuestDetails";
import { focusFirstError, guestBody, messagesOf } from "./guest";
import { useT } from "./i18n";
import { ProblemNotice } from "./ProblemNotice";
import type { Slot } from "./slots";
import { guestProblems } from "./validation";

interface Props {
  restaurant: Restaurant;
  day: string;
  partySize: number;
  slots: Slot[];
  guest: GuestForm;
  onGuest: (guest: GuestForm) => void;
  onBack: () => void;
}

export function Waitlist({ restaurant, day, partySize, slots, guest, onGuest, onBack }: Props) {
  const translator = useT();
  const { t, locale } = translator;
  const times = slots.map((s) => ({ value: s.time.slice(0, 5), label: formatTime(s.starts_at, restaurant.timezone, locale) }));
  const [from, setFrom] = useState(times[0]?.value ?? "");
  const [to, setTo] = useState(times[times.length - 1]?.value ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [joined, setJoined] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const own = guestProblems({ ...guest, requests: "" });
    if (Object.keys(own).length > 0) {
      setErrors(messagesOf(own, translator));
      focusFirstError();
      return;
    }
    setBusy(true);
    const result = await joinWaitlist({
      restaurant_id: restaurant.id,
      date: day,
      time_from: from,
      time_to: to,
      party_size: partySize,
      guest: guestBody(guest),
    });
    setBusy(false);
    if (result.ok) return setJoined(true);
    setErrors(fieldErrors(result.problem));
    setProblem(result.problem);
    focusFirstError();
  }

  if (joined) {
    return (
      <section aria-labelledby="waitlist-title">
        <h2 tabIndex={-1} id="waitlist-title">{t("waitlistTitle")}</h2>
        <p role="status">{t("waitlisted", { day: formatDay(day, locale) })}</p>
      </section>
    );
  }
  const select = (id: string, field: string, label: string, value: string, set: (v: string) => void) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => set(e.target.value)} {...described(errors, field, id)}>
        {times.map((time) => (
          <option key={time.value} value={time.value}>
            {time.label}
          </option>
        ))}
      </select>
      <FieldError errors={errors} field={field} id={id} />
    </div>
  );
  return (
    <section aria-labelledby="waitlist-title">
      <h2 tabIndex={-1} id="waitlist-title">{t("waitlistTitle")}</h2>
      <p>
        <strong>{t("timesFor", { day: formatDay(day, locale), count: partySize })}</strong>{" "}
        <button type="button" className="secondary" onClick={onBack}>
          {t("change")}
        </button>
      </p>
      <p>{t("waitlistIntro")}</p>
      <form noValidate onSubmit={(e) => void submit(e)}>
        <div className="row">
          {select("wait-from", "time_from", t("from"), from, setFrom)}
          {select("wait-to", "time_to", t("to"), to, setTo)}
        </div>
        <GuestDetails value={guest} onChange={onGuest} errors={errors} />
        <ProblemNotice problem={problem} shown={Object.keys(errors)} />
        <p>
          <button type="submit" disabled={busy}>
            {t("waitlistJoin")}
          </button>
        </p>
      </form>
    </section>
  );
}
