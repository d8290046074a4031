/**
 * Amounts are integers in a currency's minor units (ISO 4217 exponent: 4500 EUR is 45.00 €,
 * 4500 JPY is ¥4500), as payment APIs keep them: no float ever holds money. Which codes are
 * currencies, and their exponents, is ./currencies.ts.
 */
export type Money = { currency: string; amount: number };

/** The largest hourly rate accepted, in minor units: an amount × a day's seconds stays an exact integer. */
export const MAX_RATE_AMOUNT = 1_000_000_000;

/**
 * What an entry earns: `seconds` × `hourlyAmount` / 3600, rounded half up to a minor unit.
 * Computed in integers (BigInt) so that no product is ever approximated.
 */
export function amountFor(seconds: number, hourlyAmount: number): number {
  const product = BigInt(seconds) * BigInt(hourlyAmount);
  return Number((product * 2n + 3600n) / 7200n);
}

/** Sums per currency, sorted by currency: a total never mixes currencies. */
export function sumByCurrency(amounts: Iterable<Money>): Money[] {
  const totals = new Map<string, number>();
  for (const { currency, amount } of amounts) totals.set(currency, (totals.get(currency) ?? 0) + amount);
  return [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, amount]) => ({ currency, amount }));
}
