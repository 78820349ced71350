// One Idempotency-Key per attempt to book: a double click or a retry after a lost
// connection re-sends the same key, so the API answers with the first booking, never a
// second one. A new key is made only when the guest changes what they ask for.

/** A fresh key for a new attempt. */
export function newAttemptKey(): string {
  return crypto.randomUUID();
}

/**
 * Keeps one key while the request stays the same: `keyFor(request)` answers the same key
 * for an equal request (a retry) and a new key once the request differs.
 */
export class AttemptKeys {
  private fingerprint: string | null = null;
  private key = "";

  keyFor(request: unknown): string {
    const fingerprint = JSON.stringify(request);
    if (fingerprint !== this.fingerprint) {
      this.fingerprint = fingerprint;
      this.key = newAttemptKey();
    }
    return this.key;
  }

  /** Forget the attempt (after it succeeded): the next request gets a new key. */
  reset(): void {
    this.fingerprint = null;
  }
}
