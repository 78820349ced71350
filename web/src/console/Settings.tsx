// The manager's settings: opening hours, special days, tables and the payment policy.
// Each form shows the API's own words for what it refused, next to the form.
import { type FormEvent, useEffect, useState } from "react";
import { outcome } from "../shared/api";
import { interpolate } from "../shared/i18n";
import type { Problem } from "../shared/problem";
import type { components } from "../api/schema";
import { ProblemText, useConsole, useLoad } from "./context";

type ServiceHours = components["schemas"]["ServiceHours"];
type SpecialDayKind = components["schemas"]["SpecialDayKind"];
type PaymentMode = components["schemas"]["PaymentMode"];

/** "05/12/2026" (or "5.12.2026") for a calendar day (YYYY-MM-DD), in `locale`. */
function calendarDay(day: string, locale: string): string {
  return new Date(`${day}T12:00:00Z`).toLocaleDateString(locale, { timeZone: "UTC" });
}

function useSaved(): [Problem | null, boolean, (result: { ok: boolean; problem?: Problem }) => void] {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState(false);
  return [
    problem,
    saved,
    (result) => {
      setProblem(result.ok ? null : (result.problem ?? null));
      setSaved(result.ok);
    },
  ];
}

export function Settings() {
  const { t } = useConsole();
  return (
    <section aria-labelledby="settings-title" className="settings">
      <h2 id="settings-title">{t.settings.title}</h2>
      <OpeningHours />
      <SpecialDays />
      <Tables />
      <PaymentPolicy />
    </section>
  );
}

function OpeningHours() {
  const { api, restaurant, t } = useConsole();
  const params = { path: { restaurant_id: restaurant.id } };
  const hours = useLoad(
    () => outcome(api.GET("/api/v1/reservations/restaurants/{restaurant_id}/opening-hours", { params })),
    [],
  );
  const [rows, setRows] = useState<ServiceHours[]>([]);
  const [problem, saved, settle] = useSaved();
  useEffect(() => setRows(hours.data?.services ?? []), [hours.data]);
  const fields = {
    opens_at: t.settings.opens,
    closes_at: t.settings.closes,
    last_seating_at: t.settings.lastSeating,
  };

  function change(index: number, key: "opens_at" | "closes_at" | "last_seating_at", value: string) {
    setRows(rows.map((row, i) => (i === index ? { ...row, [key]: value || null } : row)));
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    settle(
      await outcome(
        api.PUT("/api/v1/reservations/restaurants/{restaurant_id}/opening-hours", {
          params,
          body: { services: rows },
        }),
      ),
    );
  }

  return (
    <form className="panel" onSubmit={save} aria-labelledby="hours-title" noValidate>
      <h3 id="hours-title">{t.settings.hours}</h3>
      <ProblemText problem={hours.problem} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t.settings.weekday}</th>
            <th scope="col">{t.settings.service}</th>
            <th scope="col">{t.settings.opens}</th>
            <th scope="col">{t.settings.closes}</th>
            <th scope="col">{t.settings.lastSeating}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => {
            const day = t.weekdays[row.weekday] ?? String(row.weekday);
            return (
              <tr key={`${row.weekday}-${row.name}`}>
                <th scope="row">{day}</th>
                <td>{row.name}</td>
                {(["opens_at", "closes_at", "last_seating_at"] as const).map((key) => (
                  <td key={key}>
                    <input
                      type="time"
                      aria-label={interpolate(t.settings.timeField, {
                        day,
                        service: row.name,
                        field: fields[key],
                      })}
                      value={(row[key] ?? "").slice(0, 5)}
                      onChange={(e) => change(i, key, e.target.value)}
                    />
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      <button type="submit">{t.settings.saveHours}</button>
      {saved && <p role="status">{t.settings.saved}</p>}
      <ProblemText problem={problem} />
    </form>
  );
}

function SpecialDays() {
  const { api, restaurant, t, locale } = useConsole();
  const path = { restaurant_id: restaurant.id };
  const days = useLoad(
    () =>
      outcome(
        api.GET("/api/v1/reservations/restaurants/{restaurant_id}/special-days", {
          params: { path, query: { limit: 100 } },
        }),
      ),
    [],
  );
  const [day, setDay] = useState("");
  const [kind, setKind] = useState<SpecialDayKind>("closed");
  const [note, setNote] = useState("");
  const [problem, , settle] = useSaved();
  const kinds: SpecialDayKind[] = ["closed", "private_event", "custom_hours", "weather"];

  async function add(event: FormEvent) {
    event.preventDefault();
    const result = await outcome(
      api.POST("/api/v1/reservations/restaurants/{restaurant_id}/special-days", {
        params: { path },
        body: { starts_on: day, kind, note: note || null, custom_services: [] },
      }),
    );
    settle(result);
    days.reload();
  }

  async function remove(id: string) {
    settle(
      await outcome(
        api.DELETE("/api/v1/reservations/restaurants/{restaurant_id}/special-days/{special_day_id}", {
          params: { path: { ...path, special_day_id: id } },
        }),
      ),
    );
    days.reload();
  }

  return (
    <div className="panel" aria-labelledby="special-title">
      <h3 id="special-title">{t.settings.specialDays}</h3>
      <ul>
        {days.data?.items.map((d) => (
          <li key={d.id}>
            {calendarDay(d.starts_on, locale)}
            {d.ends_on !== d.starts_on && ` – ${calendarDay(d.ends_on, locale)}`} ·{" "}
            {t.settings.kinds[d.kind]}
            {d.note && ` · ${d.note}`}{" "}
            <button type="button" className="secondary" onClick={() => remove(d.id)}>
              {t.settings.remove}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={add} className="inline-form" noValidate>
        <div className="field">
          <label htmlFor="special-day">{t.settings.day}</label>
          <input id="special-day" type="date" value={day} onChange={(e) => setDay(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="special-kind">{t.settings.kind}</label>
          <select
            id="special-kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as SpecialDayKind)}
          >
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t.settings.kinds[k]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="special-note">{t.settings.note}</label>
          <input id="special-note" value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <button type="submit">{t.settings.addDay}</button>
      </form>
      <ProblemText problem={problem} />
    </div>
  );
}

function Tables() {
  const { api, restaurant, t } = useConsole();
  const path = { restaurant_id: restaurant.id };
  const tables = useLoad(
    () =>
      outcome(
        api.GET("/api/v1/reservations/restaurants/{restaurant_id}/tables", { params: { path } }),
      ),
    [],
  );
  const [number, setNumber] = useState("");
  const [min, setMin] = useState("2");
  const [max, setMax] = useState("4");
  const [problem, , settle] = useSaved();

  async function add(event: FormEvent) {
    event.preventDefault();
    const result = await outcome(
      api.POST("/api/v1/reservations/restaurants/{restaurant_id}/tables", {
        params: { path },
        body: {
          number,
          min_capacity: Number(min),
          max_capacity: Number(max),
          table_type: "standard",
          rotation: 0,
          priority: 0,
          is_active: true,
          online_bookable: true,
        },
      }),
    );
    settle(result);
    if (result.ok) setNumber("");
    tables.reload();
  }

  const list = tables.data?.items ?? [];
  return (
    <div className="panel" aria-labelledby="tables-title">
      <h3 id="tables-title">{t.settings.tables}</h3>
      <ul className="table-list">
        {list.map((table) => (
          <li key={table.id}>
            {table.number} · {table.min_capacity}–{table.max_capacity}
            {!table.is_active && ` · ${t.settings.inactive}`}
          </li>
        ))}
      </ul>
      <form onSubmit={add} className="inline-form" noValidate>
        <div className="field">
          <label htmlFor="table-number">{t.settings.number}</label>
          <input id="table-number" value={number} onChange={(e) => setNumber(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="table-min">{t.settings.minSeats}</label>
          <input id="table-min" type="number" min={1} value={min} onChange={(e) => setMin(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="table-max">{t.settings.maxSeats}</label>
          <input id="table-max" type="number" min={1} value={max} onChange={(e) => setMax(e.target.value)} />
        </div>
        <button type="submit">{t.settings.addTable}</button>
      </form>
      <ProblemText problem={problem} />
    </div>
  );
}

function PaymentPolicy() {
  const { api, restaurant, t } = useConsole();
  const params = { path: { restaurant_id: restaurant.id } };
  const settings = useLoad(
    () => outcome(api.GET("/api/v1/reservations/restaurants/{restaurant_id}/settings", { params })),
    [],
  );
  const [mode, setMode] = useState<PaymentMode>("none");
  const [fixed, setFixed] = useState("0");
  const [problem, saved, settle] = useSaved();
  useEffect(() => {
    if (!settings.data) return;
    setMode(settings.data.payment_mode);
    setFixed(String(settings.data.payment_fixed_minor));
  }, [settings.data]);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!settings.data) return;
    settle(
      await outcome(
        api.PUT("/api/v1/reservations/restaurants/{restaurant_id}/settings", {
          params,
          body: { ...settings.data, payment_mode: mode, payment_fixed_minor: Number(fixed) },
        }),
      ),
    );
  }

  // hosts may not read the policy (403): the form stays away, the reason is shown
  return (
    <form className="panel" onSubmit={save} aria-labelledby="payment-title" noValidate>
      <h3 id="payment-title">{t.settings.payment}</h3>
      <ProblemText problem={settings.problem} />
      {settings.data && (
        <>
          <div className="field">
            <label htmlFor="payment-mode">{t.settings.paymentMode}</label>
            <select
              id="payment-mode"
              value={mode}
              onChange={(e) => setMode(e.target.value as PaymentMode)}
            >
              {(["none", "deposit", "guarantee"] as const).map((m) => (
                <option key={m} value={m}>
                  {t.settings.paymentModes[m]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="payment-fixed">{t.settings.fixed}</label>
            <input
              id="payment-fixed"
              type="number"
              min={0}
              value={fixed}
              onChange={(e) => setFixed(e.target.value)}
            />
          </div>
          <button type="submit">{t.settings.savePolicy}</button>
          {saved && <p role="status">{t.settings.saved}</p>}
        </>
      )}
      <ProblemText problem={problem} />
    </form>
  );
}
