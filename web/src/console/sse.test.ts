import { describe, expect, it } from "vitest";
import { backoffMs, openStream, SseParser, type SseMessage } from "./sse";

const STREAM =
  'event: ready\ndata: {"restaurant_id": "r1"}\n\n: keep-alive\n\n' +
  'event: reservation.changed\r\ndata: {"reservation_id": "a", "status": "seated"}\r\n\r\n' +
  "event: table.changed\rdata: line one\rdata: line two\r\r";

const EXPECTED: SseMessage[] = [
  { event: "ready", data: '{"restaurant_id": "r1"}' },
  { event: "reservation.changed", data: '{"reservation_id": "a", "status": "seated"}' },
  { event: "table.changed", data: "line one\nline two" },
];

function parseInPieces(pieces: string[]): SseMessage[] {
  const parser = new SseParser();
  return pieces.flatMap((piece) => parser.feed(piece));
}

describe("SseParser", () => {
  it("reads a whole stream at once", () => {
    expect(parseInPieces([STREAM])).toEqual(EXPECTED);
  });

  it("gives the same messages whichever two pieces the stream arrives in", () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      expect(parseInPieces([STREAM.slice(0, cut), STREAM.slice(cut)])).toEqual(EXPECTED);
    }
  });

  it("reads a stream that arrives one character at a time", () => {
    expect(parseInPieces([...STREAM])).toEqual(EXPECTED);
  });

  it("ignores comments and empty events, and names untyped messages 'message'", () => {
    expect(parseInPieces([": hi\n\n\ndata:x\n\nevent: lonely\n\n"])).toEqual([
      { event: "message", data: "x" },
    ]);
  });

  it("keeps a message without its closing blank line until it comes", () => {
    const parser = new SseParser();
    expect(parser.feed("event: waitlist.changed\ndata: {}\n")).toEqual([]);
    expect(parser.feed("\n")).toEqual([{ event: "waitlist.changed", data: "{}" }]);
  });
});

describe("backoffMs", () => {
  it("doubles from one second and stops at thirty", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(backoffMs)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });
});

function streamResponse(text: string, status = 200): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
  return new Response(body, { status, headers: { "Content-Type": "text/event-stream" } });
}

describe("openStream", () => {
  it("sends the bearer token and delivers the events", async () => {
    const seen: SseMessage[] = [];
    const headers: Headers[] = [];
    let closeStream = () => {};
    const delivered = new Promise<void>((resolve) => {
      closeStream = openStream({
        url: "/events",
        token: () => "t0k3n",
        onMessage: (message) => {
          seen.push(message);
          if (seen.length === EXPECTED.length) resolve();
        },
        fetchImpl: async (_url, init) => {
          headers.push(new Headers(init?.headers));
          return streamResponse(STREAM);
        },
      });
    });
    await delivered;
    closeStream();
    expect(seen).toEqual(EXPECTED);
    expect(headers[0]?.get("Authorization")).toBe("Bearer t0k3n");
  });

  it("stops for good on a 404 (another restaurant's staff get no events)", async () => {
    let calls = 0;
    const states: string[] = [];
    await new Promise<void>((resolve) => {
      openStream({
        url: "/events",
        token: () => "t",
        onMessage: () => {},
        onState: (state, status) => {
          states.push(`${state}${status ?? ""}`);
          if (state === "refused") resolve();
        },
        fetchImpl: async () => {
          calls++;
          return new Response("{}", { status: 404 });
        },
      });
    });
    expect(states).toEqual(["connecting", "refused404"]);
    expect(calls).toBe(1);
  });

  it("reconnects after the stream ends and hears 'ready' again (screens re-read)", async () => {
    const states: string[] = [];
    let calls = 0;
    let readies = 0;
    let closeStream = () => {};
    await new Promise<void>((resolve) => {
      closeStream = openStream({
        url: "/events",
        token: () => "t",
        onMessage: (message) => {
          if (message.event === "ready" && ++readies === 2) resolve();
        },
        onState: (state) => states.push(state),
        fetchImpl: async () => {
          calls++;
          return streamResponse('event: ready\ndata: {}\n\n');
        },
      });
    });
    closeStream();
    expect(calls).toBe(2);
    expect(states).toEqual(["connecting", "live", "retrying", "connecting", "live"]);
  });
});
