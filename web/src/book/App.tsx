// The widget's screens by address: /book/{restaurant} books, .../reservation/{id} confirms,
// .../manage/{id} manages (both with ?token=, the booking's manage token).
import { type ReactNode, useEffect, useMemo, useState } from "react";
import { Route, Router, Switch, useParams, useSearch } from "wouter";
import { type Locale, pickLocale } from "../shared/i18n";
import type { Problem } from "../shared/problem";
import { getRestaurant, type Restaurant } from "./api";
import { BookingFlow } from "./BookingFlow";
import { I18n, translator, useT } from "./i18n";
import { MyReservation } from "./manage/MyReservation";
import { ProblemNotice } from "./ProblemNotice";
import { ReservationConfirmation } from "./ReservationConfirmation";
import { RestaurantDetails } from "./RestaurantDetails";

function firstLocale(): Locale {
  const asked = new URLSearchParams(location.search).get("lang");
  return pickLocale([...(asked ? [asked] : []), ...navigator.languages]);
}

export function App() {
  const [locale, setLocale] = useState<Locale>(firstLocale);
  const t = useMemo(() => translator(locale), [locale]);
  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t.t("title");
  }, [locale, t]);
  return (
    <I18n.Provider value={t}>
      <Router base="/book">
        <Switch>
          <Route path="/:restaurantId/manage/:reservationId">
            <WithRestaurant onLocale={setLocale}>
              {(restaurant) => <Manage restaurant={restaurant} />}
            </WithRestaurant>
          </Route>
          <Route path="/:restaurantId/reservation/:reservationId">
            <WithRestaurant onLocale={setLocale}>
              {(restaurant) => <Confirmation restaurant={restaurant} />}
            </WithRestaurant>
          </Route>
          <Route path="/:restaurantId">
            <WithRestaurant onLocale={setLocale}>
              {(restaurant) => <BookingFlow restaurant={restaurant} />}
            </WithRestaurant>
          </Route>
          <Route>
            <Shell restaurant={null} onLocale={setLocale}>
              <NotFound />
            </Shell>
          </Route>
        </Switch>
      </Router>
    </I18n.Provider>
  );
}

function useToken(): string {
  return new URLSearchParams(useSearch()).get("token") ?? "";
}

function Manage({ restaurant }: { restaurant: Restaurant }) {
  const { reservationId = "" } = useParams<{ reservationId: string }>();
  return <MyReservation restaurant={restaurant} reservationId={reservationId} token={useToken()} />;
}

function Confirmation({ restaurant }: { restaurant: Restaurant }) {
  const { reservationId = "" } = useParams<{ reservationId: string }>();
  return <ReservationConfirmation restaurant={restaurant} reservationId={reservationId} token={useToken()} />;
}

function NotFound() {
  const { t } = useT();
  return <p>{t("notFound")}</p>;
}

function Shell({ restaurant, onLocale, children }: { restaurant: Restaurant | null; onLocale: (l: Locale) => void; children: ReactNode }) {
  return (
    <main className="book">
      <RestaurantDetails restaurant={restaurant} onLocale={onLocale} />
      {children}
    </main>
  );
}

/** Loads the restaurant of the address (its time zone governs every time shown). */
function WithRestaurant({ onLocale, children }: { onLocale: (l: Locale) => void; children: (r: Restaurant) => ReactNode }) {
  const { t } = useT();
  const { restaurantId = "" } = useParams<{ restaurantId: string }>();
  const [restaurant, setRestaurant] = useState<Restaurant | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    let current = true;
    void getRestaurant(restaurantId).then((result) => {
      if (!current) return;
      if (result.ok) setRestaurant(result.data);
      else setProblem(result.problem);
    });
    return () => {
      current = false;
    };
  }, [restaurantId]);
  let body: ReactNode = <p>{t("loading")}</p>;
  if (restaurant) body = children(restaurant);
  else if (problem?.status === 404 || problem?.status === 422) body = <NotFound />;
  else if (problem) body = <ProblemNotice problem={problem} />;
  return (
    <Shell restaurant={restaurant} onLocale={onLocale}>
      {body}
    </Shell>
  );
}
