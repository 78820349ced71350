// Country calling codes for the phone field: the restaurant's country first, then these.
export interface DialCode {
  country: string; // ISO 3166-1 alpha-2
  code: string; // without "+"
}

export const DIAL_CODES: readonly DialCode[] = [
  { country: "NL", code: "31" },
  { country: "BE", code: "32" },
  { country: "FR", code: "33" },
  { country: "ES", code: "34" },
  { country: "IT", code: "39" },
  { country: "CH", code: "41" },
  { country: "AT", code: "43" },
  { country: "GB", code: "44" },
  { country: "DK", code: "45" },
  { country: "SE", code: "46" },
  { country: "NO", code: "47" },
  { country: "PL", code: "48" },
  { country: "DE", code: "49" },
  { country: "PT", code: "351" },
  { country: "LU", code: "352" },
  { country: "IE", code: "353" },
  { country: "FI", code: "358" },
  { country: "US", code: "1" },
  { country: "CA", code: "1" },
  { country: "AU", code: "61" },
  { country: "JP", code: "81" },
];

/** The dial code to preselect: the restaurant's country's, else the first. */
export function defaultDialCode(countryCode: string | null | undefined): string {
  const found = DIAL_CODES.find((d) => d.country === countryCode?.toUpperCase());
  return (found ?? DIAL_CODES[0])?.code ?? "31";
}
