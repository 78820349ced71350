// The live floor: each table's state now, refreshed on every live event, with the host's
// marks (cleaning, blocked, free) and the one-tap seat / complete of the party there.
import { useState } from "react";
import { Link } from "wouter";
import { outcome } from "../shared/api";
import { interpolate } from "../shared/i18n";
import type { Problem } from "../shared/problem";
import { formatTime } from "../shared/time";
import type { components } from "../api/schema";
import { actionsFor } from "./actions";
import { ProblemText, useConsole, useLoad } from "./context";
import { runAction } from "./service";

type LiveTable = components["schemas"]["LiveTable"];
type Mark = components["schemas"]["TableStatusIn"]["status"];
const MARKS: Mark[] = ["free", "cleaning", "blocked"];

export function FloorPlanView() {
  const { api, restaurant, version, t } = useConsole();
  const [problems, setProblems] = useState<Record<string, Problem>>({});
  const floor = useLoad(
    () =>
      outcome(
        api.GET("/api/v1/reservations/tables/restaurant/{restaurant_id}/floor-plan", {
          params: { path: { restaurant_id: restaurant.id } },
        }),
      ),
    [version],
  );

  async function settle(tableId: string, work: Promise<{ ok: boolean; problem?: Problem }>) {
    const result = await work;
    setProblems(({ [tableId]: _old, ...rest }) =>
      result.ok || !result.problem ? rest : { ...rest, [tableId]: result.problem },
    );
    floor.reload();
  }

  const tables = floor.data?.tables ?? [];
  const placed = tables.length > 0 && tables.every((x) => x.x != null && x.y != null);
  const plan = floor.data?.floor_plans.find((p) => p.is_active) ?? floor.data?.floor_plans[0];
  return (
    <section aria-labelledby="floor-title">
      <div className="toolbar">
        <h2 id="floor-title">{t.floor.title}</h2>
        <ul className="legend" aria-label={t.floor.legend}>
          {(["free", "held", "booked", "seated", "cleaning", "blocked"] as const).map((s) => (
            <li key={s} className={`table-${s}`}>
              {t.floor[s]}
            </li>
          ))}
        </ul>
      </div>
      <ProblemText problem={floor.problem} />
      <div
        className={placed && plan ? "floor placed" : "floor"}
        style={placed && plan ? { aspectRatio: `${plan.width} / ${plan.height}` } : undefined}
      >
        {tables.map((table) => (
          <TableTile
            key={table.id}
            table={table}
            style={
              placed && plan
                ? {
                    left: `${((table.x ?? 0) / plan.width) * 100}%`,
                    top: `${((table.y ?? 0) / plan.height) * 100}%`,
                  }
                : undefined
            }
            problem={problems[table.id] ?? null}
            onMark={(status) =>
              settle(
                table.id,
                outcome(
                  api.PUT("/api/v1/reservations/tables/{table_id}/status", {
                    params: { path: { table_id: table.id } },
                    body: { status },
                  }),
                ),
              )
            }
            onAction={(reservationId, action) =>
              settle(table.id, runAction(api, restaurant.id, reservationId, action))
            }
          />
        ))}
      </div>
    </section>
  );
}

function TableTile(props: {
  table: LiveTable;
  style: React.CSSProperties | undefined;
  problem: Problem | null;
  onMark: (status: Mark) => void;
  onAction: (reservationId: string, action: "check-in" | "complete") => void;
}) {
  const { restaurant, t, locale } = useConsole();
  const { table } = props;
  const [mark, setMark] = useState<Mark>(table.status === "cleaning" ? "free" : "cleaning");
  const party = table.reservation;
  const quick = party
    ? actionsFor(party.status).filter(
        (a): a is "check-in" | "complete" => a === "check-in" || a === "complete",
      )
    : [];
  const selectId = `mark-${table.id}`;
  return (
    <article
      className={`tile table-${table.status}`}
      style={props.style}
      data-table={table.number}
      aria-labelledby={`tile-${table.id}`}
    >
      <h3 id={`tile-${table.id}`}>
        {interpolate(t.today.table, { number: table.number })}{" "}
        <span className="muted">({table.max_capacity})</span>
      </h3>
      <p className="tile-status" data-testid="table-status">
        {t.floor[table.status]}
        {table.status_note ? ` · ${table.status_note}` : ""}
      </p>
      {party && (
        <p>
          <Link href={`/reservations/${party.id}`}>{party.guest_name}</Link> · {party.party_size}
          {table.minutes_seated != null && (
            <span className="muted">
              {" "}
              · {interpolate(t.floor.seatedFor, { minutes: table.minutes_seated })}
            </span>
          )}
        </p>
      )}
      {table.next_reservation && table.next_reservation.id !== party?.id && (
        <p className="muted">
          {interpolate(t.floor.next, {
            time: formatTime(table.next_reservation.starts_at, restaurant.timezone, locale),
          })}
        </p>
      )}
      <div className="tile-actions">
        {party &&
          quick.map((action) => (
            <button key={action} type="button" onClick={() => props.onAction(party.id, action)}>
              {t.actions[action]}
            </button>
          ))}
        <label htmlFor={selectId} className="visually-hidden">
          {interpolate(t.floor.mark, { number: table.number })}
        </label>
        <select id={selectId} value={mark} onChange={(e) => setMark(e.target.value as Mark)}>
          {MARKS.map((m) => (
            <option key={m} value={m}>
              {t.floor[m]}
            </option>
          ))}
        </select>
        <button type="button" className="secondary" onClick={() => props.onMark(mark)}>
          {t.floor.set}
          <span className="visually-hidden">
            {" "}
            {interpolate(t.floor.mark, { number: table.number })}
          </span>
        </button>
      </div>
      <ProblemText problem={props.problem} />
    </article>
  );
}
