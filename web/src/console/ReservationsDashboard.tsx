// Today: the day's reservations as a list (one-tap actions) or a timeline per table
// (drag a booking onto another table to move it).
import { type DragEvent, useState } from "react";
import { Link } from "wouter";
import { outcome } from "../shared/api";
import { interpolate } from "../shared/i18n";
import type { Problem } from "../shared/problem";
import { addDays, formatDay, formatTime, todayIn } from "../shared/time";
import type { components } from "../api/schema";
import { actionsFor, canMove, isActive, type ServiceAction } from "./actions";
import { ProblemText, useConsole, useLoad } from "./context";
import { Reseating } from "./Reseating";
import { guestName, moveToTables, runAction, type StaffReservation } from "./service";
import { columnCount, dayWindow, hourMarks, placement } from "./timeline";

type Timeline = components["schemas"]["TimelineOut"];

export function ReservationsDashboard() {
  const { api, restaurant, version, t, locale } = useConsole();
  const [day, setDay] = useState(() => todayIn(restaurant.timezone));
  const [view, setView] = useState<"list" | "timeline">("list");
  const [problems, setProblems] = useState<Record<string, Problem>>({});
  const [busy, setBusy] = useState<string | null>(null);

  const path = { restaurant_id: restaurant.id };
  const list = useLoad(
    () =>
      outcome(
        api.GET("/api/v1/reservations/restaurants/{restaurant_id}/reservations", {
          params: { path, query: { date_from: day, date_to: day, limit: 200 } },
        }),
      ),
    [day, version],
  );
  const timeline = useLoad(
    () =>
      outcome(
        api.GET("/api/v1/reservations/restaurants/{restaurant_id}/timeline", {
          params: { path, query: { date: day } },
        }),
      ),
    [day, version],
  );

  const reservations = [...(list.data?.items ?? [])].sort((a, b) =>
    a.starts_at.localeCompare(b.starts_at),
  );
  const tables = timeline.data?.tables ?? [];

  async function settle(key: string, work: Promise<{ ok: boolean; problem?: Problem }>) {
    setBusy(key);
    const result = await work;
    setBusy(null);
    setProblems(({ [key]: _old, ...rest }) =>
      result.ok || !result.problem ? rest : { ...rest, [key]: result.problem },
    );
    list.reload();
    timeline.reload();
  }

  const act = (r: StaffReservation, action: ServiceAction) =>
    settle(r.id, runAction(api, restaurant.id, r.id, action));
  const move = (reservationId: string, tableId: string) =>
    settle(reservationId, moveToTables(api, restaurant.id, reservationId, [tableId]));

  const active = reservations.filter((r) => isActive(r.status) || r.status === "completed");
  const covers = active.reduce((sum, r) => sum + r.party_size, 0);

  return (
    <section aria-labelledby="today-title">
      <div className="toolbar">
        <h2 id="today-title">
          {t.today.title} · {formatDay(day, locale)}
        </h2>
        <button type="button" className="secondary" onClick={() => setDay(addDays(day, -1))}>
          <span aria-hidden="true">‹</span>
          <span className="visually-hidden">{t.today.previousDay}</span>
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => setDay(todayIn(restaurant.timezone))}
        >
          {t.today.today}
        </button>
        <button type="button" className="secondary" onClick={() => setDay(addDays(day, 1))}>
          <span aria-hidden="true">›</span>
          <span className="visually-hidden">{t.today.nextDay}</span>
        </button>
        <span className="muted">
          {interpolate(t.today.covers, { parties: active.length, covers })}
        </span>
        <div className="segmented" role="group" aria-label={t.today.view}>
          <button
            type="button"
            aria-pressed={view === "list"}
            className={view === "list" ? "" : "secondary"}
            onClick={() => setView("list")}
          >
            {t.today.list}
          </button>
          <button
            type="button"
            aria-pressed={view === "timeline"}
            className={view === "timeline" ? "" : "secondary"}
            onClick={() => setView("timeline")}
          >
            {t.today.timeline}
          </button>
        </div>
      </div>
      <ProblemText problem={list.problem ?? timeline.problem} />
      <Reseating
        day={day}
        guests={new Map(reservations.map((r) => [r.id, guestName(r)]))}
        tableNumbers={new Map(tables.map((table) => [table.table_id, table.number]))}
        onApplied={() => {
          list.reload();
          timeline.reload();
        }}
      />
      {view === "list" ? (
        <ReservationList
          reservations={reservations}
          tables={tables}
          problems={problems}
          busy={busy}
          onAct={act}
          onMove={move}
        />
      ) : (
        timeline.data && (
          <TimelineGrid
            timeline={timeline.data}
            reservations={reservations}
            problems={problems}
            onMove={move}
          />
        )
      )}
    </section>
  );
}

function ReservationList(props: {
  reservations: StaffReservation[];
  tables: Timeline["tables"];
  problems: Record<string, Problem>;
  busy: string | null;
  onAct: (r: StaffReservation, action: ServiceAction) => void;
  onMove: (reservationId: string, tableId: string) => void;
}) {
  const { restaurant, t, locale } = useConsole();
  if (props.reservations.length === 0) return <p className="muted">{t.today.none}</p>;
  return (
    <table className="reservations">
      <thead>
        <tr>
          <th scope="col">{t.today.time}</th>
          <th scope="col">{t.today.guest}</th>
          <th scope="col">{t.today.party}</th>
          <th scope="col">{t.today.tables}</th>
          <th scope="col">{t.today.status}</th>
          <th scope="col">{t.today.actions}</th>
        </tr>
      </thead>
      <tbody>
        {props.reservations.map((r) => (
          <tr key={r.id} data-reservation={r.id} className={`status-${r.status}`}>
            <td>{formatTime(r.starts_at, restaurant.timezone, locale)}</td>
            <td>
              <Link href={`/reservations/${r.id}`}>{guestName(r)}</Link>
              {r.guest_vip && <span className="badge">{t.detail.vip}</span>}
              {(r.guest_alerts ?? []).map((alert) => (
                <span key={alert.text} className="alert-chip" title={alert.text}>
                  ⚠ {alert.text}
                </span>
              ))}
            </td>
            <td>{r.party_size}</td>
            <td>{r.table_numbers.join(" + ")}</td>
            <td>
              <span className="status">{t.status[r.status]}</span>
            </td>
            <td>
              <div className="row-actions">
                {actionsFor(r.status, restaurant.staffRole).map((action) => (
                  <button
                    key={action}
                    type="button"
                    className={["cancel", "no-show", "decline"].includes(action) ? "secondary" : ""}
                    disabled={props.busy === r.id}
                    onClick={() => props.onAct(r, action)}
                    aria-describedby={props.problems[r.id] ? `problem-${r.id}` : undefined}
                  >
                    {t.actions[action]}
                  </button>
                ))}
                {canMove(r.status) && props.tables.length > 1 && (
                  <MoveControl reservation={r} tables={props.tables} onMove={props.onMove} />
                )}
              </div>
              <ProblemText problem={props.problems[r.id] ?? null} id={`problem-${r.id}`} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The keyboard way to move a party: pick a table, press Move. */
function MoveControl(props: {
  reservation: StaffReservation;
  tables: Timeline["tables"];
  onMove: (reservationId: string, tableId: string) => void;
}) {
  const { t } = useConsole();
  const r = props.reservation;
  const others = props.tables.filter((table) => !r.table_numbers.includes(table.number));
  const [picked, setPicked] = useState("");
  // after a move the party's own table leaves the choices: fall back to the first one
  const tableId = others.some((table) => table.table_id === picked)
    ? picked
    : (others[0]?.table_id ?? "");
  const id = `move-${r.id}`;
  return (
    <span className="move">
      <label htmlFor={id} className="visually-hidden">
        {interpolate(t.today.moveTo, { guest: guestName(r) })}
      </label>
      <select id={id} value={tableId} onChange={(e) => setPicked(e.target.value)}>
        {others.map((table) => (
          <option key={table.table_id} value={table.table_id}>
            {interpolate(t.today.table, { number: table.number })}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="secondary"
        disabled={!tableId}
        onClick={() => props.onMove(r.id, tableId)}
      >
        {t.today.move}
      </button>
    </span>
  );
}

function TimelineGrid(props: {
  timeline: Timeline;
  reservations: StaffReservation[];
  problems: Record<string, Problem>;
  onMove: (reservationId: string, tableId: string) => void;
}) {
  const { restaurant, t } = useConsole();
  const [over, setOver] = useState<string | null>(null);
  const byId = new Map(props.reservations.map((r) => [r.id, r]));
  const allocations = props.timeline.tables.flatMap((table) =>
    table.allocations.filter((a) => a.status !== "released"),
  );
  const window = dayWindow(props.timeline.date, restaurant.timezone, allocations);
  const columns = columnCount(window);
  const marks = hourMarks(window, restaurant.timezone);
  const now = placement(Date.now(), Date.now() + 1, window);
  const grid = { gridTemplateColumns: `repeat(${columns}, minmax(14px, 1fr))` };
  const moveProblems = Object.entries(props.problems);

  function drop(event: DragEvent, table: Timeline["tables"][number]) {
    event.preventDefault();
    setOver(null);
    const reservationId = event.dataTransfer.getData("text/plain");
    const already = table.allocations.some(
      (a) => a.reservation_id === reservationId && a.status !== "released",
    );
    if (reservationId && !already) props.onMove(reservationId, table.table_id);
  }

  return (
    <div className="timeline" role="region" aria-label={t.today.timeline}>
      <p className="muted">{t.today.dragHint}</p>
      {moveProblems.map(([id, problem]) => (
        <div key={id}>
          <strong>{byId.get(id) ? guestName(byId.get(id) as StaffReservation) : ""}</strong>
          <ProblemText problem={problem} />
        </div>
      ))}
      <div className="timeline-row header">
        <div className="timeline-table" />
        <div className="timeline-track" style={grid}>
          {marks.map((mark) => (
            <span key={mark.column} className="hour" style={{ gridColumn: `${mark.column} / span 4` }}>
              {mark.label}
            </span>
          ))}
        </div>
      </div>
      {props.timeline.tables.map((table) => (
        <div
          key={table.table_id}
          className={`timeline-row${over === table.table_id ? " drop" : ""}`}
          data-table={table.number}
          onDragOver={(event) => {
            event.preventDefault();
            setOver(table.table_id);
          }}
          onDragLeave={() => setOver(null)}
          onDrop={(event) => drop(event, table)}
        >
          <div className="timeline-table">
            <strong>{interpolate(t.today.table, { number: table.number })}</strong>
            <span className="muted">
              {interpolate(t.today.seats, { min: table.min_capacity, max: table.max_capacity })}
            </span>
          </div>
          <div className="timeline-track" style={grid}>
            {now && <span className="now" style={{ gridColumn: `${now.column}`, gridRow: 1 }} />}
            {table.allocations
              .filter((a) => a.status !== "released")
              .map((a) => {
                const at = placement(a.starts_at, a.ends_at, window);
                if (!at) return null;
                const r = byId.get(a.reservation_id);
                const label = `${r ? guestName(r) : a.reference} · ${a.party_size}`;
                return (
                  <Link
                    key={a.reservation_id}
                    href={`/reservations/${a.reservation_id}`}
                    className={`block status-${a.reservation_status}${r?.source === "walk_in" ? " walk-in" : ""}`}
                    style={{ gridColumn: `${at.column} / span ${at.span}`, gridRow: 1 }}
                    draggable={a.reservation_status !== "completed"}
                    onDragStart={(event: DragEvent) => {
                      event.dataTransfer.setData("text/plain", a.reservation_id);
                      event.dataTransfer.effectAllowed = "move";
                    }}
                    title={`${label} (${t.status[a.reservation_status]})`}
                    data-reservation={a.reservation_id}
                  >
                    {label}
                    <span className="visually-hidden"> ({t.status[a.reservation_status]})</span>
                  </Link>
                );
              })}
          </div>
        </div>
      ))}
    </div>
  );
}
