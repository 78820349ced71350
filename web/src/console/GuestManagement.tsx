// One reservation: its actions, the guest's profile, alerts and notes, history, the SMS
// conversation, and the money (a manager may waive a forfeited deposit or a fee).
import { type FormEvent, useState } from "react";
import { Link, useParams } from "wouter";
import { outcome } from "../shared/api";
import { interpolate } from "../shared/i18n";
import { money } from "../shared/money";
import type { Problem } from "../shared/problem";
import { formatDay, formatTime } from "../shared/time";
import { actionsFor, type ServiceAction } from "./actions";
import { ProblemText, useConsole, useLoad } from "./context";
import { wordFor } from "./messages";
import { guestName, runAction } from "./service";

export function GuestManagement() {
  const { reservationId = "" } = useParams<{ reservationId: string }>();
  const { api, restaurant, version, t, locale } = useConsole();
  const [actionProblem, setActionProblem] = useState<Problem | null>(null);
  const path = { restaurant_id: restaurant.id, reservation_id: reservationId };
  const reservation = useLoad(
    () =>
      outcome(
        api.GET("/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}", {
          params: { path },
        }),
      ),
    [reservationId, version],
  );
  const r = reservation.data;

  async function act(action: ServiceAction) {
    const result = await runAction(api, restaurant.id, reservationId, action);
    setActionProblem(result.ok ? null : result.problem);
    reservation.reload();
  }

  if (reservation.problem && !r) return <ProblemText problem={reservation.problem} />;
  if (!r) return <p className="muted">{t.loading}</p>;
  return (
    <section aria-labelledby="reservation-title" className="detail">
      <p>
        <Link href="/today">← {t.detail.back}</Link>
      </p>
      <h2 id="reservation-title">
        {guestName(r)} · {r.party_size} · {formatTime(r.starts_at, restaurant.timezone, locale)},{" "}
        {formatDay(r.date, locale)}
      </h2>
      <p>
        <span className="status">{t.status[r.status]}</span> · {r.reference} ·{" "}
        {t.today.tables}: {r.table_numbers.join(" + ") || "–"}
      </p>
      {(r.special_requests || r.occasion || r.dietary_requirements) && (
        <p>
          <strong>{t.detail.requests}:</strong>{" "}
          {[r.occasion, r.special_requests, r.dietary_requirements].filter(Boolean).join(" · ")}
        </p>
      )}
      <div className="row-actions">
        {actionsFor(r.status, restaurant.staffRole).map((action) => (
          <button
            key={action}
            type="button"
            className={["cancel", "no-show", "decline"].includes(action) ? "secondary" : ""}
            onClick={() => act(action)}
          >
            {t.actions[action]}
          </button>
        ))}
      </div>
      <ProblemText problem={actionProblem} />
      <div className="columns">
        <GuestPanel guestId={r.guest_id} />
        <div>
          <MessagesPanel reservationId={r.id} />
          <PaymentsPanel reservationId={r.id} deposit={r.deposit} />
        </div>
      </div>
    </section>
  );
}

function GuestPanel({ guestId }: { guestId: string }) {
  const { api, restaurant, version, t, locale } = useConsole();
  const [body, setBody] = useState("");
  const [alert, setAlert] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const params = { path: { guest_id: guestId }, query: { restaurant_id: restaurant.id } };
  const profile = useLoad(
    () => outcome(api.GET("/api/v1/reservations/guests/{guest_id}", { params })),
    [guestId, version],
  );
  const notes = useLoad(
    () => outcome(api.GET("/api/v1/reservations/guests/{guest_id}/notes", { params })),
    [guestId, version],
  );
  const history = useLoad(
    () =>
      outcome(
        api.GET("/api/v1/reservations/guests/{guest_id}/history", {
          params: { ...params, query: { ...params.query, limit: 10 } },
        }),
      ),
    [guestId],
  );

  async function addNote(event: FormEvent) {
    event.preventDefault();
    const result = await outcome(
      api.POST("/api/v1/reservations/guests/{guest_id}/notes", {
        params,
        body: { body, is_alert: alert, note_type: alert ? "allergy" : "general" },
      }),
    );
    setProblem(result.ok ? null : result.problem);
    if (result.ok) {
      setBody("");
      setAlert(false);
      notes.reload();
    }
  }

  const g = profile.data;
  const stats = g?.relationship?.stats;
  const alerts = (notes.data ?? []).filter((n) => n.is_alert);
  const others = (notes.data ?? []).filter((n) => !n.is_alert);
  const allergies = g?.relationship?.allergies ?? [];
  return (
    <div className="panel" aria-labelledby="guest-title">
      <h3 id="guest-title">{t.detail.guest}</h3>
      <ProblemText problem={profile.problem} />
      {g && (
        <>
          <p>
            <strong>
              {g.first_name} {g.last_name ?? ""}
            </strong>
            {g.relationship?.is_vip && <span className="badge">{t.detail.vip}</span>}
            <br />
            {g.email}
            {g.phone && (
              <>
                <br />
                {g.phone}
              </>
            )}
          </p>
          {stats && (
            <p className="muted">
              {interpolate(t.detail.visits, { visits: stats.visits, noShows: stats.no_shows })}
            </p>
          )}
        </>
      )}
      <h4>{t.detail.alerts}</h4>
      {alerts.length === 0 && allergies.length === 0 ? (
        <p className="muted">{t.detail.noAlerts}</p>
      ) : (
        <ul className="alerts">
          {allergies.map((a) => (
            <li key={`allergy-${a}`}>⚠ {a}</li>
          ))}
          {alerts.map((n) => (
            <li key={n.id}>⚠ {n.body}</li>
          ))}
        </ul>
      )}
      <h4>{t.detail.notes}</h4>
      <ul>
        {others.map((n) => (
          <li key={n.id}>{n.body}</li>
        ))}
      </ul>
      <form onSubmit={addNote} noValidate>
        <div className="field">
          <label htmlFor="note-body">{t.detail.noteText}</label>
          <textarea id="note-body" value={body} onChange={(e) => setBody(e.target.value)} />
        </div>
        <div className="field check">
          <input
            id="note-alert"
            type="checkbox"
            checked={alert}
            onChange={(e) => setAlert(e.target.checked)}
          />
          <label htmlFor="note-alert">{t.detail.alert}</label>
        </div>
        <button type="submit" className="secondary">
          {t.detail.addNote}
        </button>
        <ProblemText problem={problem} />
      </form>
      <h4>{t.detail.history}</h4>
      <ul>
        {history.data?.items.map((h) => (
          <li key={h.id}>
            {formatDay(h.date, locale)} · {h.party_size} · {t.status[h.status]}
          </li>
        ))}
      </ul>
    </div>
  );
}

function MessagesPanel({ reservationId }: { reservationId: string }) {
  const { api, restaurant, version, t, locale } = useConsole();
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const params = { path: { restaurant_id: restaurant.id, reservation_id: reservationId } };
  const thread = useLoad(
    () =>
      outcome(
        api.GET(
          "/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}/messages",
          { params },
        ),
      ),
    [reservationId, version],
  );

  async function send(event: FormEvent) {
    event.preventDefault();
    const result = await outcome(
      api.POST(
        "/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}/messages",
        { params, body: { body: text } },
      ),
    );
    setProblem(result.ok ? null : result.problem);
    if (result.ok) {
      setText("");
      thread.reload();
    }
  }

  const items = thread.data?.items ?? [];
  return (
    <div className="panel" aria-labelledby="messages-title">
      <h3 id="messages-title">{t.detail.messages}</h3>
      <ProblemText problem={thread.problem} />
      {items.length === 0 ? (
        <p className="muted">{t.detail.noMessages}</p>
      ) : (
        <ol className="thread">
          {items.map((m) => (
            <li key={m.id} className={`message ${m.direction}`}>
              <span className="muted">{formatTime(m.created_at, restaurant.timezone, locale)}</span>{" "}
              {m.body}
            </li>
          ))}
        </ol>
      )}
      <form onSubmit={send} noValidate>
        <div className="field">
          <label htmlFor="reply">{t.detail.reply}</label>
          <textarea id="reply" value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <button type="submit" className="secondary">
          {t.detail.send}
        </button>
        <ProblemText problem={problem} />
      </form>
    </div>
  );
}

function PaymentsPanel(props: {
  reservationId: string;
  deposit: { mode: string; status: string; amount_minor: number; currency: string };
}) {
  const { api, restaurant, version, t, locale } = useConsole();
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const params = { path: { restaurant_id: restaurant.id, reservation_id: props.reservationId } };
  const money_ = useLoad(
    () =>
      outcome(
        api.GET(
          "/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}/payments",
          { params },
        ),
      ),
    [props.reservationId, version],
  );

  async function waive(event: FormEvent) {
    event.preventDefault();
    const result = await outcome(
      api.POST(
        "/api/v1/reservations/restaurants/{restaurant_id}/reservations/{reservation_id}/waive",
        { params, body: { reason } },
      ),
    );
    setProblem(result.ok ? null : result.problem);
    if (result.ok) setReason("");
    money_.reload();
  }

  const payments = money_.data?.payments ?? [];
  return (
    <div className="panel" aria-labelledby="payments-title">
      <h3 id="payments-title">{t.detail.payments}</h3>
      {props.deposit.mode !== "none" && (
        <p>
          {interpolate(t.detail.deposit, {
            amount: money(props.deposit.amount_minor, props.deposit.currency, locale),
            status: wordFor(t.detail.depositStatus, props.deposit.status),
          })}
        </p>
      )}
      <ProblemText problem={money_.problem} />
      {payments.length === 0 ? (
        <p className="muted">{t.detail.noPayments}</p>
      ) : (
        <ul>
          {payments.map((p) => (
            <li key={p.id}>
              {wordFor(t.detail.paymentKind, p.kind)} ·{" "}
              {money(p.amount_minor, p.currency, locale)} ·{" "}
              {wordFor(t.detail.paymentState, p.status)}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={waive} noValidate>
        <div className="field">
          <label htmlFor="waive-reason">{t.detail.waiveReason}</label>
          <input id="waive-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="submit" className="secondary">
          {t.detail.waive}
        </button>
        <ProblemText problem={problem} />
      </form>
    </div>
  );
}
