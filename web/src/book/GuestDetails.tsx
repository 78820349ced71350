// The guest's details and consents, shared by the booking and the waitlist forms.
import type { ReactNode } from "react";
import type { Locale } from "../shared/i18n";
import { LanguageSelect } from "../shared/LanguageSelect";
import { DIAL_CODES } from "./countries";
import { useT } from "./i18n";
import type { GuestFields } from "./validation";

export interface GuestForm extends GuestFields {
  language: Locale;
  emailNotifications: boolean;
  marketing: boolean;
}

interface Props {
  value: GuestForm;
  onChange: (next: GuestForm) => void;
  /** Messages by the API's field paths ("guest.email"). */
  errors: Record<string, string>;
  children?: ReactNode;
}

/** The props that tie a control to its error message. */
export function described(errors: Record<string, string>, field: string, id: string) {
  return errors[field]
    ? { "aria-invalid": true as const, "aria-describedby": `${id}-error` }
    : {};
}

/** A field's error message, if it has one. */
export function FieldError({ errors, field, id }: { errors: Record<string, string>; field: string; id: string }) {
  const message = errors[field];
  return message ? (
    <p id={`${id}-error`} className="field-error">
      {message}
    </p>
  ) : null;
}

export function GuestDetails({ value, onChange, errors, children }: Props) {
  const { t } = useT();
  const set = <K extends keyof GuestForm>(key: K, v: GuestForm[K]) => onChange({ ...value, [key]: v });
  const text = (id: string, field: string, key: "firstName" | "lastName" | "email", label: string, type = "text", auto = "") => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        autoComplete={auto || undefined}
        value={value[key]}
        onChange={(e) => set(key, e.target.value)}
        {...described(errors, field, id)}
      />
      <FieldError errors={errors} field={field} id={id} />
    </div>
  );
  return (
    <>
      <div className="row">
        {text("first-name", "guest.first_name", "firstName", t("firstName"), "text", "given-name")}
        {text("last-name", "guest.last_name", "lastName", t("lastName"), "text", "family-name")}
      </div>
      {text("email", "guest.email", "email", t("email"), "email", "email")}
      <fieldset className="field phone">
        <legend>{t("phone")}</legend>
        <div className="row tight">
          <div>
            <label htmlFor="dial-code" className="visually-hidden">
              {t("country")}
            </label>
            <select id="dial-code" value={value.dialCode} onChange={(e) => set("dialCode", e.target.value)}>
              {DIAL_CODES.map((d) => (
                <option key={d.country} value={d.code}>
                  {d.country} +{d.code}
                </option>
              ))}
            </select>
          </div>
          <div className="grow">
            <label htmlFor="phone" className="visually-hidden">
              {t("phone")}
            </label>
            <input
              id="phone"
              type="tel"
              autoComplete="tel-national"
              value={value.phone}
              onChange={(e) => set("phone", e.target.value)}
              {...described(errors, "guest.phone", "phone")}
            />
          </div>
        </div>
        <FieldError errors={errors} field="guest.phone" id="phone" />
      </fieldset>
      {children}
      <div className="field">
        <LanguageSelect
          id="guest-language"
          label={t("guestLanguage")}
          value={value.language}
          onChange={(l) => set("language", l)}
        />
      </div>
      <div className="checks">
        <label>
          <input
            type="checkbox"
            checked={value.emailNotifications}
            onChange={(e) => set("emailNotifications", e.target.checked)}
          />{" "}
          {t("emailNotifications")}
        </label>
        <label>
          <input
            type="checkbox"
            checked={value.smsNotifications}
            onChange={(e) => set("smsNotifications", e.target.checked)}
          />{" "}
          {t("smsNotifications")}
        </label>
        <label>
          <input type="checkbox" checked={value.marketing} onChange={(e) => set("marketing", e.target.checked)} />{" "}
          {t("marketing")}
        </label>
      </div>
    </>
  );
}
