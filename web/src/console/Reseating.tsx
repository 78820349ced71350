// Re-seat a service: the optimizer proposes moves of parties not yet seated (nothing moves
// yet), the host reads them and applies them all or none (each through the party's workflow).
import { useState } from "react";
import { outcome } from "../shared/api";
import { interpolate } from "../shared/i18n";
import type { Problem } from "../shared/problem";
import { ProblemText, useConsole, useLoad } from "./context";
import { movesShown, type Plan, servicesOn } from "./reseating";

export function Reseating(props: {
  day: string;
  guests: ReadonlyMap<string, string>;
  tableNumbers: ReadonlyMap<string, string>;
  onApplied: () => void;
}) {
  const { api, restaurant, t } = useConsole();
  const params = { path: { restaurant_id: restaurant.id } };
  const hours = useLoad(
    () => outcome(api.GET("/api/v1/reservations/restaurants/{restaurant_id}/opening-hours", { params })),
    [],
  );
  const services = servicesOn(props.day, hours.data?.services ?? []);
  const [chosen, setChosen] = useState<string | null>(null);
  const service = chosen && services.includes(chosen) ? chosen : (services[0] ?? null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [applied, setApplied] = useState(false);

  if (!service) return null;
  const path = { restaurant_id: restaurant.id, day: props.day, service };

  async function propose() {
    setBusy(true);
    setApplied(false);
    const result = await outcome(
      api.POST("/api/v1/reservations/restaurants/{restaurant_id}/services/{day}/{service}/optimisation", {
        params: { path },
      }),
    );
    setBusy(false);
    setPlan(result.ok ? result.data : null);
    setProblem(result.ok ? null : result.problem);
  }

  async function apply(planId: string) {
    setBusy(true);
    const result = await outcome(
      api.POST(
        "/api/v1/reservations/restaurants/{restaurant_id}/services/{day}/{service}/optimisation/apply",
        { params: { path }, body: { plan_id: planId } },
      ),
    );
    setBusy(false);
    setProblem(result.ok ? null : result.problem);
    if (result.ok) {
      setPlan(null);
      setApplied(true);
      props.onApplied();
    }
  }

  const moves = plan ? movesShown(plan, props.guests, props.tableNumbers) : [];
  return (
    <div className="panel" role="region" aria-label={t.reseat.title}>
      <div className="toolbar">
        <h3>{t.reseat.title}</h3>
        {services.length > 1 && (
          <select
            aria-label={t.reseat.service}
            value={service}
            onChange={(event) => {
              setChosen(event.target.value);
              setPlan(null);
            }}
          >
            {services.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        )}
        <button type="button" className="secondary" disabled={busy} onClick={propose}>
          {t.reseat.propose}
        </button>
      </div>
      <ProblemText problem={problem ?? hours.problem} />
      {applied && <p role="status">{t.reseat.applied}</p>}
      {plan && moves.length === 0 && <p>{t.reseat.nothing}</p>}
      {plan && moves.length > 0 && (
        <>
          <ul aria-label={t.reseat.moves}>
            {moves.map((m) => (
              <li key={m.reservationId}>
                {interpolate(t.reseat.move, { guest: m.guest, from: m.from, to: m.to })}
              </li>
            ))}
          </ul>
          <p className="muted">
            {interpolate(t.reseat.effect, {
              before: plan.wasted_seats_before,
              after: plan.wasted_seats_after,
            })}
          </p>
          <button type="button" disabled={busy} onClick={() => apply(plan.id)}>
            {interpolate(t.reseat.apply, { count: moves.length })}
          </button>
        </>
      )}
    </div>
  );
}
