// The typed API client: generated from web/openapi.json (npm run client), so a changed API
// fails `tsc` at build time instead of failing in a browser.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "../api/schema";
import { connectionLost, type Problem, toProblem } from "./problem";

export type ApiClient = ReturnType<typeof createClient<paths>>;

export interface ClientOptions {
  /** The staff bearer token, read at each call (it may change after sign-in). */
  token?: () => string | null;
  /** Called on a 401 answer, e.g. to show the sign-in screen again. */
  onUnauthorized?: () => void;
}

/** A client for the API on the page's own origin. */
export function apiClient(options: ClientOptions = {}): ApiClient {
  const client = createClient<paths>({ baseUrl: globalThis.location?.origin ?? "" });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = options.token?.();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) options.onUnauthorized?.();
      return response;
    },
  };
  client.use(auth);
  return client;
}

export type Outcome<T> = { ok: true; data: T } | { ok: false; problem: Problem };

/**
 * Await an openapi-fetch call and turn every failure (problem+json, other error bodies,
 * no answer at all) into a Problem the screen can show next to the control.
 */
export async function outcome<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Outcome<T>> {
  try {
    const { data, error, response } = await call;
    if (response.ok) return { ok: true, data: data as T };
    return { ok: false, problem: toProblem(error, response.status) };
  } catch {
    return { ok: false, problem: connectionLost() };
  }
}
