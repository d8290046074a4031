import currencyCodes from 'currency-codes';

/**
 * Amounts are integers in a currency's minor units (ISO 4217 exponent: 4500 EUR is 45.00 €,
 * 4500 JPY is ¥4500), as payment APIs keep them: no float ever holds money. The exponents
 * come from the ISO 4217 list itself (currency-codes), not from the platform's CLDR data,
 * which differs for a few currencies (HUF, IDR, COP: 2 in ISO 4217, 0 in CLDR).
 */
export type Money = { currency: string; amount: number };

/** ISO 4217's codes of no currency (gold, silver, testing, "no currency"): they have no minor unit. */
const isCurrency = (record: { countries: string[] }) => !record.countries.every((country) => country.startsWith('Zz'));

const EXPONENTS: ReadonlyMap<string, number> = new Map(currencyCodes.data.filter(isCurrency).map((record) => [record.code, record.digits]));

/** The ISO 4217 exponent of `currency`; undefined for a code that names no currency. */
export const currencyExponent = (currency: string): number | undefined => EXPONENTS.get(currency);

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

/** An amount in the currency's major units, as text with exactly its exponent's decimals ("45.00", "4500", "1.250"). */
export function majorUnits(money: Money): string {
  const exponent = currencyExponent(money.currency) ?? 2;
  if (exponent === 0) return String(money.amount);
  const sign = money.amount < 0 ? '-' : '';
  const digits = String(Math.abs(money.amount)).padStart(exponent + 1, '0');
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
