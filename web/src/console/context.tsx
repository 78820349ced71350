// What every screen shares: the typed API client, the restaurant being run, the live
// "something changed" counter, and a loader that keeps the last answer while re-reading.
import { createContext, type DependencyList, useCallback, useContext, useEffect, useState } from "react";
import type { ApiClient, Outcome } from "../shared/api";
import { interpolate, type Locale } from "../shared/i18n";
import type { Problem } from "../shared/problem";
import type { StaffRole } from "./actions";
import { intlLocale } from "./language";
import { CATALOGUES, type Messages } from "./messages";

export interface Restaurant {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  /** The signed-in staff member's role (the API still judges every call). */
  staffRole: StaffRole;
}

export interface ConsoleContext {
  api: ApiClient;
  restaurant: Restaurant;
  /** Goes up on every live event and on every (re)connect: screens re-read on change. */
  version: number;
  t: Messages;
  /** The locale dates, times, numbers and money are written in (`Intl`). */
  locale: string;
}

const Context = createContext<ConsoleContext | null>(null);
export const ConsoleProvider = Context.Provider;

/** The console's shared context (inside a restaurant's screens). */
export function useConsole(): ConsoleContext {
  const value = useContext(Context);
  if (!value) throw new Error("useConsole outside a restaurant's screens");
  return value;
}

/** The console's language, from the sign-in page on: the staff member's choice. */
export interface ConsoleLanguage {
  language: Locale;
  t: Messages;
  /** The locale dates, times, numbers and money are written in (`Intl`). */
  locale: string;
  choose: (language: Locale) => void;
}

/** The words and formats of `language`; `choose` switches (and remembers) the language. */
export function consoleLanguage(language: Locale, choose: (language: Locale) => void): ConsoleLanguage {
  return { language, t: CATALOGUES[language], locale: intlLocale(language), choose };
}

const Language = createContext<ConsoleLanguage>(consoleLanguage("en", () => {}));
export const LanguageProvider = Language.Provider;

/** The console's current language (works outside a restaurant's screens too). */
export function useLanguage(): ConsoleLanguage {
  return useContext(Language);
}

export interface Loaded<T> {
  data: T | null;
  problem: Problem | null;
  reload: () => void;
}

/** Run `load` now and whenever `deps` change; the previous data stays shown meanwhile. */
export function useLoad<T>(load: () => Promise<Outcome<T>>, deps: DependencyList): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    let current = true;
    void load().then((result) => {
      if (!current) return;
      if (result.ok) {
        setData(result.data);
        setProblem(null);
      } else {
        setProblem(result.problem);
      }
    });
    return () => {
      current = false;
    };
    // `load` is a new closure each render; the caller's `deps` say when it reads anew
  }, [...deps, tick]);
  return { data, problem, reload };
}

/** The words for a failure: the API's own, or the console's when no problem came back. */
function problemWords(problem: Problem, t: Messages): string {
  if (problem.reason === "network") return t.connectionLost;
  // a body that was no problem+json (a proxy's error page): toProblem words its status
  if (problem.detail === `The server answered ${problem.status}.`)
    return interpolate(t.serverAnswered, { status: problem.status });
  return problem.detail || problem.title;
}

/** The API's words for a failure, next to the control that caused it. */
export function ProblemText({ problem, id }: { problem: Problem | null; id?: string }) {
  const { t } = useLanguage();
  if (!problem) return null;
  const fields = (problem.errors ?? []).filter((e) => e.message !== problem.detail);
  return (
    <div className="problem" role="alert" id={id}>
      {problemWords(problem, t)}
      {fields.length > 0 && (
        <ul>
          {fields.map((error) => (
            <li key={`${error.field}:${error.message}`}>
              {error.field}: {error.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
