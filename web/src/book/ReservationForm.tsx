// The guest's details for the chosen time, sent once per attempt (Idempotency-Key): a
// double click or a retry after a lost connection cannot book twice.
import { type FormEvent, useRef, useState } from "react";
import { AttemptKeys } from "../shared/attempt";
import { fieldErrors, type Problem } from "../shared/problem";
import { formatDay, formatTime } from "../shared/time";
import { type Alternative, book, type BookingBody, type Held, type Restaurant } from "./api";
import { described, FieldError, type GuestForm, GuestDetails } from "./GuestDetails";
import { focusFirstError, guestBody, messagesOf } from "./guest";
import { useT } from "./i18n";
import { ProblemNotice } from "./ProblemNotice";
import { AlternativeList, type Choice } from "./TimeSlotSelection";
import { guestProblems } from "./validation";

interface Props {
  restaurant: Restaurant;
  choice: Choice;
  guest: GuestForm;
  onGuest: (guest: GuestForm) => void;
  onChoice: (choice: Choice) => void;
  onBack: () => void;
  onHeld: (held: Held) => void;
}

export function ReservationForm({ restaurant, choice, guest, onGuest, onChoice, onBack, onHeld }: Props) {
  const translator = useT();
  const { t, locale } = translator;
  const [requests, setRequests] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [alternatives, setAlternatives] = useState<Alternative[]>([]);
  const [busy, setBusy] = useState(false);
  const sending = useRef(false); // set at once: a second click in the same tick sees it
  const keys = useRef(new AttemptKeys());

  async function send() {
    if (sending.current) return;
    const own = guestProblems({ ...guest, requests });
    if (Object.keys(own).length > 0) {
      setErrors(messagesOf(own, translator));
      setProblem(null);
      focusFirstError();
      return;
    }
    const body: BookingBody = {
      restaurant_id: restaurant.id,
      date: choice.date,
      time: choice.time,
      party_size: choice.partySize,
      guest: guestBody(guest),
      special_requests: requests.trim() || null,
    };
    sending.current = true;
    setBusy(true);
    const result = await book(body, keys.current.keyFor(body));
    sending.current = false;
    setBusy(false);
    if (result.ok) {
      keys.current.reset();
      onHeld(result.data);
      return;
    }
    const refused = result.problem;
    if (refused.status === 409) {
      const offered = (refused.alternatives as Alternative[] | undefined) ?? [];
      setAlternatives(offered);
      setErrors({});
      setProblem({ ...refused, detail: t("taken") });
      return;
    }
    setAlternatives([]);
    setErrors(fieldErrors(refused));
    setProblem(refused);
    focusFirstError();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void send();
  }

  const when = t("yourTable", {
    day: formatDay(choice.date, locale),
    time: formatTime(choice.startsAt, restaurant.timezone, locale),
    count: choice.partySize,
  });
  return (
    <section aria-labelledby="form-title">
      <h2 tabIndex={-1} id="form-title">{t("title")}</h2>
      <p className="chosen">
        <strong>{when}</strong>{" "}
        <button type="button" className="secondary" onClick={onBack}>
          {t("change")}
        </button>
      </p>
      <form noValidate onSubmit={submit}>
        <GuestDetails value={guest} onChange={onGuest} errors={errors}>
          <div className="field">
            <label htmlFor="requests">{t("requests")}</label>
            <textarea
              id="requests"
              rows={3}
              value={requests}
              onChange={(e) => setRequests(e.target.value)}
              {...described(errors, "special_requests", "requests")}
            />
            <FieldError errors={errors} field="special_requests" id="requests" />
          </div>
        </GuestDetails>
        <ProblemNotice problem={problem} shown={Object.keys(errors)} onRetry={() => void send()} />
        {alternatives.length > 0 && (
          <AlternativeList
            alternatives={alternatives}
            timeZone={restaurant.timezone}
            onPick={(a) => {
              setAlternatives([]);
              setProblem(null);
              onChoice({ date: a.date, time: a.time.slice(0, 5), startsAt: a.starts_at, partySize: choice.partySize });
            }}
          />
        )}
        <p>
          <button type="submit" disabled={busy} aria-busy={busy}>
            {busy ? t("booking") : t("book")}
          </button>
        </p>
      </form>
    </section>
  );
}
