// Walk-ins and the waitlist: seat a party at the door now, or queue it with a quoted
// wait; offer, seat or skip the parties waiting today.
import { type FormEvent, useState } from "react";
import { outcome } from "../shared/api";
import { interpolate } from "../shared/i18n";
import { fieldErrors, type Problem } from "../shared/problem";
import { formatTime, todayIn } from "../shared/time";
import { ProblemText, useConsole, useLoad } from "./context";
import { wordFor } from "./messages";

export function WaitlistManagement() {
  const { api, restaurant, version, t, locale } = useConsole();
  const [size, setSize] = useState("2");
  const [name, setName] = useState("");
  const [phone, setPhone] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [rowProblems, setRowProblems] = useState<Record<string, Problem>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const path = { restaurant_id: restaurant.id };
  const partySize = Number(size);
  const sizeOk = Number.isInteger(partySize) && partySize > 0;

  const quote = useLoad(
    () =>
      sizeOk
        ? outcome(
            api.GET("/api/v1/reservations/restaurants/{restaurant_id}/walk-in-queue/quote", {
              params: { path, query: { party_size: partySize } },
            }),
          )
        : Promise.resolve({ ok: true as const, data: null }),
    [partySize, version],
  );
  const queue = useLoad(
    () =>
      outcome(
        api.GET("/api/v1/reservations/waitlist/restaurant/{restaurant_id}", {
          params: {
            path,
            query: { date: todayIn(restaurant.timezone), status: ["waiting", "offered"], limit: 100 },
          },
        }),
      ),
    [version],
  );

  async function seatNow(event: FormEvent) {
    event.preventDefault();
    // a party seated at once has no profile: the API makes an anonymous walk-in guest,
    // and the name and phone the host typed stay on the booking as its note
    const note = [name.trim(), phone.trim()].filter(Boolean).join(", ");
    const result = await outcome(
      api.POST("/api/v1/reservations/restaurants/{restaurant_id}/walk-ins", {
        params: { path },
        body: { party_size: partySize, notes: note || null },
      }),
    );
    finish(result, t.waitlist.seated);
  }

  async function addToQueue() {
    const result = await outcome(
      api.POST("/api/v1/reservations/restaurants/{restaurant_id}/walk-in-queue", {
        params: { path },
        body: {
          party_size: partySize,
          first_name: name.trim(),
          phone: phone.trim() || null,
          language: "en",
        },
      }),
    );
    finish(result, null);
    queue.reload();
  }

  function finish(result: { ok: boolean; problem?: Problem }, message: string | null) {
    if (result.ok) {
      setProblem(null);
      const guest = name || t.waitlist.walkInGuest;
      setDone(message ? interpolate(message, { guest, size: partySize }) : null);
      setName("");
      setPhone("");
    } else {
      setProblem(result.problem ?? null);
      setDone(null);
    }
  }

  async function entryAction(id: string, action: "notify" | "seat" | "skip") {
    const params = { params: { path: { entry_id: id } } };
    setBusy(id); // seating runs through the entry's workflow: it can take a few seconds
    const result =
      action === "notify"
        ? await outcome(api.POST("/api/v1/reservations/waitlist/{entry_id}/notify", params))
        : action === "seat"
          ? await outcome(
              api.POST("/api/v1/reservations/waitlist/{entry_id}/seat", { ...params, body: {} }),
            )
          : await outcome(api.POST("/api/v1/reservations/waitlist/{entry_id}/skip", params));
    setBusy(null);
    setRowProblems(({ [id]: _old, ...rest }) =>
      result.ok ? rest : { ...rest, [id]: result.problem },
    );
    queue.reload();
  }

  const errors = problem ? fieldErrors(problem) : {};
  const sizeError = errors.party_size;
  const nameError = errors.first_name ?? errors["guest.first_name"];
  return (
    <section aria-labelledby="waitlist-title">
      <h2 id="waitlist-title">{t.waitlist.title}</h2>
      <form className="walk-in" onSubmit={seatNow} noValidate>
        <h3>{t.waitlist.walkIn}</h3>
        <div className="fields">
          <div className="field">
            <label htmlFor="walk-in-size">{t.waitlist.partySize}</label>
            <input
              id="walk-in-size"
              type="number"
              min={1}
              inputMode="numeric"
              value={size}
              onChange={(e) => setSize(e.target.value)}
              aria-invalid={Boolean(sizeError)}
            />
            {sizeError && <p className="field-error">{sizeError}</p>}
          </div>
          <div className="field">
            <label htmlFor="walk-in-name">{t.waitlist.name}</label>
            <input id="walk-in-name" value={name} onChange={(e) => setName(e.target.value)} />
            {nameError && <p className="field-error">{nameError}</p>}
          </div>
          <div className="field">
            <label htmlFor="walk-in-phone">{t.waitlist.phone}</label>
            <input
              id="walk-in-phone"
              type="tel"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
            />
          </div>
        </div>
        <p className="muted" role="status">
          {quote.data &&
            (quote.data.wait_minutes == null
              ? interpolate(t.waitlist.quoteNone, { size: partySize })
              : interpolate(
                  quote.data.parties_ahead ? t.waitlist.quoteAhead : t.waitlist.quote,
                  {
                    size: partySize,
                    minutes: quote.data.wait_minutes,
                    ahead: quote.data.parties_ahead ?? 0,
                  },
                ))}
        </p>
        <button type="submit">{t.waitlist.seatNow}</button>{" "}
        <button type="button" className="secondary" onClick={addToQueue}>
          {t.waitlist.addToQueue}
        </button>
        {done && <p role="status">{done}</p>}
        {problem && !sizeError && !nameError && <ProblemText problem={problem} />}
      </form>
      <h3>{t.waitlist.queue}</h3>
      <ProblemText problem={queue.problem} />
      {queue.data && queue.data.items.length === 0 && <p className="muted">{t.waitlist.empty}</p>}
      <ul className="queue">
        {queue.data?.items.map((entry) => (
          <li key={entry.id}>
            <span>
              <strong>{entry.party_size}</strong> ·{" "}
              {entry.kind === "walk_in" ? t.waitlist.walkInEntry : entry.time_from?.slice(0, 5)} ·{" "}
              {wordFor(t.waitlist.entryStatus, entry.status)} ·{" "}
              {formatTime(entry.created_at, restaurant.timezone, locale)}
              {entry.quoted_wait_minutes != null &&
                ` · ${interpolate(t.waitlist.quotedWait, { minutes: entry.quoted_wait_minutes })}`}
              {entry.offer && ` · ${interpolate(t.today.table, { number: entry.offer.table_numbers.join(" + ") })}`}
            </span>
            <span className="row-actions" aria-busy={busy === entry.id}>
              {entry.kind === "future" && (
                <button type="button" className="secondary" disabled={busy === entry.id}
                  onClick={() => entryAction(entry.id, "notify")}>
                  {t.waitlist.notify}
                </button>
              )}
              {entry.kind === "walk_in" && (
                <button type="button" disabled={busy === entry.id}
                  onClick={() => entryAction(entry.id, "seat")}>
                  {t.waitlist.seat}
                </button>
              )}
              <button type="button" className="secondary" disabled={busy === entry.id}
                  onClick={() => entryAction(entry.id, "skip")}>
                {t.waitlist.skip}
              </button>
            </span>
            <ProblemText problem={rowProblems[entry.id] ?? null} />
          </li>
        ))}
      </ul>
    </section>
  );
}
