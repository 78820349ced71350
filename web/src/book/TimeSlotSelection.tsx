// Party size, day and the day's slots: free ones to pick, closed ones with their reason,
// the nearest free times when the day is full, and the waitlist.
import { useEffect, useState } from "react";
import type { Problem } from "../shared/problem";
import { addDays, formatDay, formatTime, todayIn } from "../shared/time";
import { type Alternative, type Availability, getAvailability, type Restaurant } from "./api";
import { useT } from "./i18n";
import { ProblemNotice } from "./ProblemNotice";
import { dayIsFull, groupSlots, reasonKey, type Slot } from "./slots";
import { partyProblem } from "./validation";

export interface Choice {
  date: string; // the slot's local date, as listed
  time: string; // "HH:MM"
  startsAt: string;
  partySize: number;
}

interface Props {
  restaurant: Restaurant;
  initialParty?: number;
  initialDay?: string;
  onPick: (choice: Choice) => void;
  onWaitlist?: (day: string, partySize: number, slots: Slot[]) => void;
  idPrefix?: string;
}

export function TimeSlotSelection({
  restaurant,
  initialParty = 2,
  initialDay,
  onPick,
  onWaitlist,
  idPrefix = "book",
}: Props) {
  const { t, locale } = useT();
  const tz = restaurant.timezone;
  const today = todayIn(tz);
  const [party, setParty] = useState(String(initialParty));
  const [day, setDay] = useState(initialDay ?? today);
  const [answer, setAnswer] = useState<Availability | null>(null);
  const [alternatives, setAlternatives] = useState<Alternative[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(false);
  const [attempt, setAttempt] = useState(0);

  const size = Number(party);
  const partyError = partyProblem(size);
  const dayError = !/^\d{4}-\d{2}-\d{2}$/.test(day) || day < today;

  useEffect(() => {
    if (partyError || dayError) return;
    let current = true;
    setLoading(true);
    setProblem(null);
    setAlternatives([]);
    void (async () => {
      const result = await getAvailability(restaurant.id, day, size);
      if (!current) return;
      if (!result.ok) {
        setLoading(false);
        setAnswer(null);
        setProblem(result.problem);
        return;
      }
      setAnswer(result.data);
      const slots = result.data.slots;
      if (dayIsFull(slots, result.data.closed_reason ?? null)) {
        // ask about the day's middle slot: the answer carries the nearest free times
        const middle = slots[Math.floor(slots.length / 2)];
        const near = middle && (await getAvailability(restaurant.id, day, size, middle.time.slice(0, 5)));
        if (current && near && near.ok) setAlternatives(near.data.alternatives ?? []);
      }
      if (current) setLoading(false);
    })();
    return () => {
      current = false;
    };
  }, [restaurant.id, day, size, partyError, dayError, attempt]);

  const slots = answer?.slots ?? [];
  const free = slots.filter((s) => s.available);
  const pick = (s: { date: string; time: string; starts_at: string }) =>
    onPick({ date: s.date, time: s.time.slice(0, 5), startsAt: s.starts_at, partySize: size });

  return (
    <section aria-labelledby={`${idPrefix}-when`}>
      <h2 tabIndex={-1} id={`${idPrefix}-when`}>{t("title")}</h2>
      <div className="row">
        <div className="field">
          <label htmlFor={`${idPrefix}-party`}>{t("partySize")}</label>
          <input
            id={`${idPrefix}-party`}
            type="number"
            inputMode="numeric"
            min={1}
            max={100}
            value={party}
            onChange={(e) => setParty(e.target.value)}
            aria-invalid={partyError ? true : undefined}
            aria-describedby={partyError ? `${idPrefix}-party-error` : undefined}
          />
          {partyError && (
            <p id={`${idPrefix}-party-error`} className="field-error">
              {t(partyError.key, partyError.values)}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-date`}>{t("date")}</label>
          <input
            id={`${idPrefix}-date`}
            type="date"
            min={today}
            max={addDays(today, 730)}
            value={day}
            onChange={(e) => setDay(e.target.value)}
            aria-invalid={dayError ? true : undefined}
            aria-describedby={dayError ? `${idPrefix}-date-error` : undefined}
          />
          {dayError && (
            <p id={`${idPrefix}-date-error`} className="field-error">
              {t("errDate")}
            </p>
          )}
        </div>
      </div>
      <ProblemNotice problem={problem} onRetry={() => setAttempt((n) => n + 1)} />
      {loading && <p aria-live="polite">{t("loading")}</p>}
      {answer && !loading && (
        <div aria-live="polite">
          <h3>{t("timesFor", { day: formatDay(day, locale), count: size })}</h3>
          {answer.closed_reason && <p>{t(reasonKey(answer.closed_reason))}</p>}
          {!answer.closed_reason && free.length === 0 && <p>{t("noTimes")}</p>}
          {groupSlots(slots).map((group) => (
            <div key={group.service} className="service">
              {group.parts.map((part) => (
                <div key={part.part}>
                  <h4>
                    {group.service} · {t(part.part)}
                  </h4>
                  <ul className="slots">
                    {part.slots.map((s) => {
                      const time = formatTime(s.starts_at, tz, locale);
                      const why = s.available ? "" : t(reasonKey(s.reason));
                      return (
                        <li key={s.starts_at}>
                          {s.available ? (
                            <button type="button" className="slot" onClick={() => pick(s)}>
                              {time}
                            </button>
                          ) : (
                            <span className="slot closed">
                              <span className="visually-hidden">
                                {t("closedSlot", { time, reason: why })}
                              </span>
                              <span aria-hidden="true">
                                <s>{time}</s>
                                <small>{why}</small>
                              </span>
                            </span>
                          )}
                        </li>
                      );
                    })}
                  </ul>
                </div>
              ))}
            </div>
          ))}
          {alternatives.length > 0 && (
            <AlternativeList alternatives={alternatives} timeZone={tz} onPick={pick} />
          )}
          {onWaitlist && dayIsFull(slots, answer.closed_reason ?? null) && (
            <p>
              <button type="button" className="secondary" onClick={() => onWaitlist(day, size, slots)}>
                {t("joinWaitlist")}
              </button>
            </p>
          )}
        </div>
      )}
    </section>
  );
}

interface AlternativeProps {
  alternatives: Alternative[];
  timeZone: string;
  onPick: (alternative: Alternative) => void;
}

/** The nearest free times the API offered instead, as buttons. */
export function AlternativeList({ alternatives, timeZone, onPick }: AlternativeProps) {
  const { t, locale } = useT();
  return (
    <div className="alternatives">
      <h3>{t("alternatives")}</h3>
      <ul className="slots">
        {alternatives.map((a) => (
          <li key={a.starts_at}>
            <button type="button" className="slot wide" onClick={() => onPick(a)}>
              {t("alternative", {
                day: formatDay(a.date, locale),
                time: formatTime(a.starts_at, timeZone, locale),
              })}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
