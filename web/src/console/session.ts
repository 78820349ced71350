// The signed-in host's token. Kept in sessionStorage, not localStorage: it is gone when
// the tab closes (a shared tablet at the host stand does not stay signed in for the next
// person), each tab signs in on its own, and it survives a reload during service.
const KEY = "console.token";

export function savedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: sign in again after a reload
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
