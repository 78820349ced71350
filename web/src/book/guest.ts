// The guest part of a booking or waitlist request, from the form.
import type { components } from "../api/schema";
import type { GuestForm } from "./GuestDetails";
import type { Translator } from "./i18n";
import { type FormErrors, internationalPhone } from "./validation";

/** The version of the marketing box's wording the guest agreed to (recorded as consent). */
export const CONSENT_WORDING = "book-widget-2026-11";

export function guestBody(form: GuestForm): components["schemas"]["GuestIn"] {
  return {
    email: form.email.trim(),
    first_name: form.firstName.trim(),
    last_name: form.lastName.trim() || null,
    phone: internationalPhone(form.dialCode, form.phone),
    preferred_language: form.language,
    email_notifications: form.emailNotifications,
    sms_notifications: form.smsNotifications,
    marketing_consent: form.marketing,
    consent_wording_version: form.marketing ? CONSENT_WORDING : null,
  };
}

/** The client's own problems as messages in the guest's language. */
export function messagesOf(errors: FormErrors, { t }: Translator): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, problem] of Object.entries(errors)) out[field] = t(problem.key, problem.values);
  return out;
}

/** Move the keyboard to the first control with an error (after the render shows them). */
export function focusFirstError(): void {
  requestAnimationFrame(() => {
    document.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
  });
}
