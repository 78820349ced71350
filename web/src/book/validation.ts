// The booking form's rules, checked before anything is sent. The API checks again (its
// answer wins): these only spare the guest a round trip for the obvious mistakes.
import type { MessageKey } from "./messages";

export interface GuestFields {
  firstName: string;
  lastName: string;
  email: string;
  dialCode: string; // "31" for +31
  phone: string; // the national number as typed
  requests: string;
  smsNotifications: boolean;
}

export interface FieldProblem {
  key: MessageKey;
  values?: Record<string, string | number>;
}

/** Problems by the API's own field paths ("guest.email"), so both kinds show alike. */
export type FormErrors = Record<string, FieldProblem>;

export const MAX_PARTY = 100; // the API's bound; the restaurant's own shows per slot
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** The party size problem, if any. */
export function partyProblem(size: number, max: number = MAX_PARTY): FieldProblem | null {
  if (!Number.isInteger(size) || size < 1 || size > max) return { key: "errParty", values: { max } };
  return null;
}

/** The national digits of a typed phone number ("06-12 34 56 78" -> "612345678"). */
export function nationalDigits(typed: string): string {
  return typed.replace(/[\s\-().]/g, "").replace(/^0+/, "");
}

/** "+31612345678" from a dial code and a typed number, or null when nothing was typed. */
export function internationalPhone(dialCode: string, typed: string): string | null {
  if (!typed.trim()) return null;
  return `+${dialCode}${nationalDigits(typed)}`;
}

/** Every problem of the guest's details, keyed by the API's field paths. */
export function guestProblems(fields: GuestFields): FormErrors {
  const errors: FormErrors = {};
  if (!fields.firstName.trim()) errors["guest.first_name"] = { key: "errRequired" };
  else if (fields.firstName.length > 120)
    errors["guest.first_name"] = { key: "errTooLong", values: { max: 120 } };
  if (fields.lastName.length > 120)
    errors["guest.last_name"] = { key: "errTooLong", values: { max: 120 } };
  const email = fields.email.trim();
  if (!email) errors["guest.email"] = { key: "errRequired" };
  else if (!EMAIL.test(email)) errors["guest.email"] = { key: "errEmail" };
  const typed = fields.phone.trim();
  if (typed) {
    const digits = nationalDigits(typed);
    // E.164: at most 15 digits with the country code
    if (!/^\d{4,}$/.test(digits) || digits.length + fields.dialCode.length > 15)
      errors["guest.phone"] = { key: "errPhone" };
  } else if (fields.smsNotifications) {
    errors["guest.phone"] = { key: "errPhoneNeeded" };
  }
  if (fields.requests.length > 1000)
    errors.special_requests = { key: "errTooLong", values: { max: 1000 } };
  return errors;
}
