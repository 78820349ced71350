import { StrictMode, useCallback, useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { Link, Redirect, Route, Router, Switch, useParams } from "wouter";
import "../shared/base.css";
import "./console.css";
import { type ApiClient, apiClient, outcome } from "../shared/api";
import type { Locale } from "../shared/i18n";
import type { components } from "../api/schema";
import { Analytics } from "./Analytics";
import {
  ConsoleProvider,
  consoleLanguage,
  LanguageProvider,
  type Restaurant,
  useLanguage,
  useLoad,
} from "./context";
import { FloorPlanView } from "./FloorPlanView";
import { GuestManagement } from "./GuestManagement";
import { firstLanguage, rememberLanguage } from "./language";
import { LanguageMenu } from "./LanguageMenu";
import { ReservationsDashboard } from "./ReservationsDashboard";
import { forgetToken, savedToken, saveToken } from "./session";
import { Settings } from "./Settings";
import { SignIn } from "./SignIn";
import { openStream, type StreamState } from "./sse";
import { WaitlistManagement } from "./WaitlistManagement";

type Staff = components["schemas"]["StaffOut"];

/** The console in the staff member's language: the one chosen in its menu (remembered in
 * this browser), else the browser's, else English. */
function Console() {
  const [language, setLanguage] = useState<Locale>(() => firstLanguage());
  const choose = useCallback((chosen: Locale) => {
    rememberLanguage(chosen);
    setLanguage(chosen);
  }, []);
  const words = useMemo(() => consoleLanguage(language, choose), [language, choose]);
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = words.t.appName;
  }, [language, words]);
  return (
    <LanguageProvider value={words}>
      <Screens />
    </LanguageProvider>
  );
}

/** Sign-in, then the restaurant's screens under /console/<restaurant>/. */
function Screens() {
  const [token, setToken] = useState<string | null>(savedToken);
  const signOut = useCallback(() => {
    forgetToken();
    setToken(null);
  }, []);
  const api = useMemo(
    () => apiClient({ token: () => savedToken(), onUnauthorized: signOut }),
    [signOut],
  );
  if (!token)
    return (
      <SignIn
        onSignedIn={(fresh) => {
          saveToken(fresh);
          setToken(fresh);
        }}
      />
    );
  return (
    <Router base="/console">
      <Switch>
        <Route path="/">
          <RestaurantPicker api={api} onSignOut={signOut} />
        </Route>
        <Route path="/:restaurantId" nest>
          <RestaurantScreens api={api} onSignOut={signOut} />
        </Route>
      </Switch>
    </Router>
  );
}

function RestaurantPicker({ api, onSignOut }: { api: ApiClient; onSignOut: () => void }) {
  const { t } = useLanguage();
  const me = useLoad(() => outcome(api.GET("/api/v1/reservations/auth/me")), [api]);
  const all = useLoad(
    () => outcome(api.GET("/api/v1/reservations/restaurants", { params: { query: { limit: 100 } } })),
    [api],
  );
  if (!me.data || !all.data) return <p className="muted">{t.loading}</p>;
  const staff: Staff = me.data;
  const mine = all.data.items.filter(
    (r) => staff.role === "admin" || staff.restaurant_ids.includes(r.id),
  );
  if (mine.length === 1 && mine[0]) return <Redirect to={`/${mine[0].id}/today`} />;
  return (
    <main className="picker">
      <header className="bar">
        <h1>{t.appName}</h1>
        <LanguageMenu />
        <button type="button" className="secondary" onClick={onSignOut}>
          {t.signOut}
        </button>
      </header>
      <h2>{t.pickRestaurant}</h2>
      {mine.length === 0 ? (
        <p>{t.noRestaurants}</p>
      ) : (
        <ul>
          {mine.map((r) => (
            <li key={r.id}>
              <Link href={`/${r.id}/today`}>{r.name}</Link>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

/** One restaurant's screens; the live stream opens only once the API says it is ours. */
function RestaurantScreens({ api, onSignOut }: { api: ApiClient; onSignOut: () => void }) {
  const { restaurantId = "" } = useParams<{ restaurantId: string }>();
  const { t, locale } = useLanguage();
  const [restaurant, setRestaurant] = useState<Restaurant | null>(null);
  const [missing, setMissing] = useState(false);
  const [version, setVersion] = useState(0);
  const [live, setLive] = useState<StreamState>("connecting");

  useEffect(() => {
    let current = true;
    setRestaurant(null);
    setMissing(false);
    void (async () => {
      // a staff-only read first: another restaurant's staff get 404 here
      const scoped = await outcome(
        api.GET("/api/v1/reservations/restaurants/{restaurant_id}/reservations", {
          params: { path: { restaurant_id: restaurantId }, query: { limit: 1 } },
        }),
      );
      const [details, me] = scoped.ok
        ? await Promise.all([
            outcome(
              api.GET("/api/v1/reservations/restaurants/{restaurant_id}", {
                params: { path: { restaurant_id: restaurantId } },
              }),
            ),
            outcome(api.GET("/api/v1/reservations/auth/me")),
          ])
        : [null, null];
      if (!current) return;
      if (!details?.ok || !me?.ok) return setMissing(true);
      const { id, name, timezone, currency } = details.data;
      setRestaurant({ id, name, timezone, currency, staffRole: me.data.role });
    })();
    return () => {
      current = false;
    };
  }, [api, restaurantId]);

  useEffect(() => {
    if (!restaurant) return;
    return openStream({
      url: `/api/v1/reservations/restaurants/${restaurant.id}/events`,
      token: savedToken,
      onMessage: () => setVersion((n) => n + 1),
      onState: setLive,
    });
  }, [restaurant]);

  if (missing)
    return (
      <main className="picker">
        <LanguageMenu />
        <h1>{t.appName}</h1>
        <p className="problem" role="alert">
          {t.notFound}
        </p>
        <p>
          <Link href="~/console/">{t.pickRestaurant}</Link>
        </p>
      </main>
    );
  if (!restaurant) return <p className="muted">{t.loading}</p>;
  return (
    <ConsoleProvider value={{ api, restaurant, version, t, locale }}>
      <header className="bar">
        <h1>{restaurant.name}</h1>
        <nav aria-label={t.nav.label}>
          <NavLink href="/today" label={t.nav.today} />
          <NavLink href="/floor" label={t.nav.floor} />
          <NavLink href="/waitlist" label={t.nav.waitlist} />
          <NavLink href="/analytics" label={t.nav.analytics} />
          <NavLink href="/settings" label={t.nav.settings} />
        </nav>
        <span className={`live live-${live}`} role="status" data-testid="live">
          {t.live[live]}
        </span>
        <LanguageMenu />
        <button type="button" className="secondary" onClick={onSignOut}>
          {t.signOut}
        </button>
      </header>
      <main>
        <Switch>
          <Route path="/today" component={ReservationsDashboard} />
          <Route path="/floor" component={FloorPlanView} />
          <Route path="/waitlist" component={WaitlistManagement} />
          <Route path="/reservations/:reservationId" component={GuestManagement} />
          <Route path="/analytics" component={Analytics} />
          <Route path="/settings" component={Settings} />
          <Route>
            <Redirect to="/today" />
          </Route>
        </Switch>
      </main>
    </ConsoleProvider>
  );
}

function NavLink({ href, label }: { href: string; label: string }) {
  return (
    <Link href={href} className={(active: boolean) => (active ? "active" : "")}>
      {label}
    </Link>
  );
}

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <Console />
  </StrictMode>,
);
