// The restaurant's live event stream, read with fetch() because EventSource cannot send
// the staff bearer token. Events are signals ("something changed"), never a log: after
// every (re)connect the screens re-read their state.

/** One server-sent event: its type and its data (lines joined by "\n"). */
export interface SseMessage {
  event: string;
  data: string;
}

/**
 * Incremental text/event-stream parser: feed it chunks split anywhere (inside a field,
 * between "\r" and "\n") and it returns the messages each chunk completed.
 */
export class SseParser {
  private line = "";
  private afterCR = false;
  private event = "";
  private data: string[] = [];

  feed(chunk: string): SseMessage[] {
    const done: SseMessage[] = [];
    for (const char of chunk) {
      if (this.afterCR) {
        this.afterCR = false;
        if (char === "\n") continue; // the second half of a "\r\n" split across chunks
      }
      if (char === "\r" || char === "\n") {
        this.afterCR = char === "\r";
        const message = this.endLine();
        if (message) done.push(message);
      } else {
        this.line += char;
      }
    }
    return done;
  }

  private endLine(): SseMessage | null {
    const line = this.line;
    this.line = "";
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null; // a comment: the keep-alive
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "event") this.event = value;
    else if (name === "data") this.data.push(value);
    return null; // id and retry are not used: a reconnect re-reads everything anyway
  }

  private dispatch(): SseMessage | null {
    const message =
      this.data.length > 0 ? { event: this.event || "message", data: this.data.join("\n") } : null;
    this.event = "";
    this.data = [];
    return message;
  }
}

/** Milliseconds to wait before reconnect attempt `attempt` (0-based): 1 s doubling to 30 s. */
export function backoffMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
}

export type StreamState = "connecting" | "live" | "retrying" | "refused";

export interface StreamOptions {
  url: string;
  token: () => string | null;
  /** Every event, including "ready" (sent once the server subscribed). */
  onMessage: (message: SseMessage) => void;
  onState?: (state: StreamState, status?: number) => void;
  fetchImpl?: typeof fetch;
}

/**
 * Keep the stream open: reconnect with backoff when it drops; stop for good on 401, 403
 * or 404 (another restaurant's staff get 404 and no events). Returns a function that
 * closes it.
 */
export function openStream(options: StreamOptions): () => void {
  const doFetch = options.fetchImpl ?? fetch.bind(globalThis);
  let closed = false;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;

  const retry = () => {
    if (closed) return;
    options.onState?.("retrying");
    timer = setTimeout(connect, backoffMs(attempt++));
  };

  async function connect(): Promise<void> {
    if (closed) return;
    controller = new AbortController();
    options.onState?.("connecting");
    const token = options.token();
    try {
      const response = await doFetch(options.url, {
        headers: {
          Accept: "text/event-stream",
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        signal: controller.signal,
        cache: "no-store",
      });
      if ([401, 403, 404].includes(response.status)) {
        options.onState?.("refused", response.status);
        return;
      }
      if (!response.ok || !response.body) return retry();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const message of parser.feed(value)) {
          if (message.event === "ready") {
            attempt = 0;
            options.onState?.("live");
          }
          options.onMessage(message);
        }
      }
      retry(); // the server ended the stream (a restart): come back
    } catch {
      retry(); // network lost or aborted; closed streams do not come back
    }
  }

  void connect();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    controller?.abort();
  };
}
