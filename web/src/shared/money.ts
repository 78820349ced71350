// Money as people read it: integer minor units in the currency's own decimals.

/** "€ 25,00", "¥1,500", "BHD 6.000" for integer minor units in `currency`. */
export function money(minor: number, currency: string, locale: string): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  // JPY has no minor unit and BHD three: the same 1500 is ¥1,500 but BHD 1.500
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}
