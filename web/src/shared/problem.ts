// RFC 9457 problem details as the API sends them, and what a form shows of them.

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  status: number;
  title: string;
  detail: string;
  field?: string;
  reason?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

/** True when `value` has the shape of a problem+json body. */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const body = value as Record<string, unknown>;
  return typeof body.status === "number" && typeof body.title === "string";
}

/** The message for each field the API named (first message wins), keyed by field path. */
export function fieldErrors(problem: Problem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of problem.errors ?? []) {
    if (error.field && !(error.field in out)) out[error.field] = error.message;
  }
  if (problem.field && !(problem.field in out)) out[problem.field] = problem.detail;
  return out;
}

/** A problem for a request that got no answer: the caller may retry the same attempt. */
export function connectionLost(): Problem {
  return {
    status: 0,
    title: "Connection lost",
    detail: "The server could not be reached. Check the connection and try again.",
    reason: "network",
  };
}

/** Whatever a failed call gave back, as a problem the screen can show. */
export function toProblem(error: unknown, status: number): Problem {
  if (isProblem(error)) return error;
  if (status === 0) return connectionLost();
  const detail = typeof error === "string" && error ? error : `The server answered ${status}.`;
  return { status, title: "Request failed", detail };
}
