import { describe, expect, it } from "vitest";
import { AttemptKeys } from "./attempt";

describe("idempotency keys per attempt", () => {
  it("re-sends the same key for the same request and a new one when it changes", () => {
    const keys = new AttemptKeys();
    const first = keys.keyFor({ party_size: 2, time: "19:00" });
    expect(keys.keyFor({ party_size: 2, time: "19:00" })).toBe(first);
    const second = keys.keyFor({ party_size: 3, time: "19:00" });
    expect(second).not.toBe(first);
    keys.reset();
    expect(keys.keyFor({ party_size: 3, time: "19:00" })).not.toBe(second);
  });
});
