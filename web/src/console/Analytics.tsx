// The last 30 days at a glance: headline figures and two charts drawn as plain SVG (no
// chart library: a bar per day is a few lines, and the bundle stays small).
import { outcome } from "../shared/api";
import { interpolate } from "../shared/i18n";
import { addDays, todayIn } from "../shared/time";
import { ProblemText, useConsole, useLoad } from "./context";
import { wordFor } from "./messages";

/** "12.5%" (or "12,5 %") for a share between 0 and 1, in `locale`. */
function percent(value: number | null | undefined, locale: string): string {
  if (value == null) return "–";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(value);
}

/** A count or a ratio with `digits` decimals, in `locale`. */
function number(value: number, locale: string, digits = 0): string {
  return new Intl.NumberFormat(locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** "3 May" for a calendar day (YYYY-MM-DD), in `locale`. */
function shortDay(day: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: "UTC", day: "numeric", month: "long" }).format(
    new Date(`${day}T12:00:00Z`),
  );
}

export function Analytics() {
  const { api, restaurant, t, locale } = useConsole();
  const to = todayIn(restaurant.timezone);
  const from = addDays(to, -29);
  const params = { path: { restaurant_id: restaurant.id }, query: { date_from: from, date_to: to, format: "json" as const } };
  const dashboard = useLoad(
    () =>
      outcome(
        api.GET("/api/v1/reservations/analytics/restaurant/{restaurant_id}/dashboard", { params }),
      ),
    [from],
  );
  const volume = useLoad(
    () =>
      outcome(
        api.GET("/api/v1/reservations/analytics/restaurant/{restaurant_id}/volume", { params }),
      ),
    [from],
  );
  const turnedAway = useLoad(
    () =>
      outcome(
        api.GET("/api/v1/reservations/analytics/restaurant/{restaurant_id}/turned-away", {
          params,
        }),
      ),
    [from],
  );
  // the routes also speak CSV (a string): the console asks for and reads JSON only
  const d = typeof dashboard.data === "object" ? dashboard.data : null;
  const v = typeof volume.data === "object" ? volume.data : null;
  const away = typeof turnedAway.data === "object" ? turnedAway.data : null;
  const days = v?.daily ?? [];
  const channels = v?.channel_mix ?? [];
  // the times most asked for when full: where a table more (or a shorter turn) pays
  const soldOut = [...(away?.cells ?? [])].sort((a, b) => b.covers - a.covers).slice(0, 5);
  return (
    <section aria-labelledby="analytics-title">
      <div className="toolbar">
        <h2 id="analytics-title">{t.analytics.title}</h2>
        <span className="muted">{t.analytics.last30}</span>
      </div>
      <ProblemText problem={dashboard.problem ?? volume.problem ?? turnedAway.problem} />
      {d && (
        <dl className="figures">
          <div>
            <dt>{t.analytics.covers}</dt>
            <dd>{number(d.covers_booked, locale)}</dd>
          </div>
          <div>
            <dt>{t.analytics.seated}</dt>
            <dd>{number(d.covers_seated, locale)}</dd>
          </div>
          <div>
            <dt>{t.analytics.noShowRate}</dt>
            <dd>{percent(d.outcomes.no_show_rate, locale)}</dd>
          </div>
          <div>
            <dt>{t.analytics.turnover}</dt>
            <dd>{d.table_turnover == null ? "–" : number(d.table_turnover, locale, 2)}</dd>
          </div>
          {away && (
            <div>
              <dt>{t.analytics.turnedAway}</dt>
              <dd>{number(away.total.covers, locale)}</dd>
            </div>
          )}
        </dl>
      )}
      <div className="columns">
        <figure className="panel">
          <figcaption>
            <h3>{t.analytics.coversPerDay}</h3>
          </figcaption>
          <BarChart
            label={interpolate(t.analytics.chartLabel, {
              from: shortDay(from, locale),
              to: shortDay(to, locale),
            })}
            bars={days.map((day) => ({
              key: day.day,
              label: day.day.slice(8),
              name: shortDay(day.day, locale),
              value: day.covers_booked,
            }))}
          />
        </figure>
        <figure className="panel">
          <figcaption>
            <h3>{t.analytics.channels}</h3>
          </figcaption>
          <ul className="shares">
            {channels.map((c) => (
              <li key={c.channel}>
                <span>{wordFor(t.analytics.channel, c.channel)}</span>
                <span className="share-bar" style={{ width: `${(c.share ?? 0) * 100}%` }} />
                <span>
                  {number(c.covers, locale)} ({percent(c.share, locale)})
                </span>
              </li>
            ))}
          </ul>
        </figure>
        {away && (
          <figure className="panel">
            <figcaption>
              <h3>{t.analytics.soldOut}</h3>
            </figcaption>
            {soldOut.length === 0 ? (
              <p className="muted">{t.analytics.soldOutNone}</p>
            ) : (
              <ul className="sold-out">
                {soldOut.map((cell) => (
                  <li key={`${cell.weekday}-${cell.time}`}>
                    {interpolate(t.analytics.soldOutCell, {
                      weekday: t.weekdays[cell.weekday] ?? String(cell.weekday),
                      time: cell.time.slice(0, 5),
                      covers: cell.covers,
                      requests: cell.requests,
                    })}
                  </li>
                ))}
              </ul>
            )}
          </figure>
        )}
      </div>
    </section>
  );
}

/** Vertical bars with the values written out for screen readers. */
function BarChart({
  label,
  bars,
}: {
  label: string;
  bars: { key: string; label: string; name: string; value: number }[];
}) {
  const top = Math.max(1, ...bars.map((b) => b.value));
  const width = Math.max(1, bars.length) * 20;
  return (
    <>
      <svg viewBox={`0 0 ${width} 120`} className="chart" role="img" aria-label={label}>
        {bars.map((bar, i) => {
          const height = (bar.value / top) * 100;
          return (
            <g key={bar.key}>
              <rect x={i * 20 + 3} y={100 - height} width={14} height={height} className="bar" />
              {i % 5 === 0 && (
                <text x={i * 20 + 10} y={115} textAnchor="middle" className="axis">
                  {bar.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <table className="visually-hidden">
        <caption>{label}</caption>
        <tbody>
          {bars.map((bar) => (
            <tr key={bar.key}>
              <th scope="row">{bar.name}</th>
              <td>{bar.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
