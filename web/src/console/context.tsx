// What every screen shares: the typed API client, the restaurant being run, the live
// "something changed" counter, and a loader that keeps the last answer while re-reading.
import { createContext, type DependencyList, useCallback, useContext, useEffect, useState } from "react";
import type { ApiClient, Outcome } from "../shared/api";
import type { Problem } from "../shared/problem";
import type { StaffRole } from "./actions";
import { en, type Messages } from "./messages/en";

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

export const messages: Messages = en;

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

/** The API's words for a failure, next to the control that caused it. */
export function ProblemText({ problem, id }: { problem: Problem | null; id?: string }) {
  if (!problem) return null;
  const fields = (problem.errors ?? []).filter((e) => e.message !== problem.detail);
  return (
    <div className="problem" role="alert" id={id}>
      {problem.detail || problem.title}
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
