import currencyCodes from 'currency-codes';
import { ValidationError } from '../errors.ts';
import type { Money } from './money.ts';

/**
 * The currencies of ISO 4217 and their exponents, from the ISO list itself (currency-codes),
 * not from the platform's CLDR data, which differs for a few (HUF, IDR, COP: 2 in ISO 4217,
 * 0 in CLDR). Kept apart from ./money.ts: only the functions that check a rate or write an
 * amount in major units bundle the list (the route table and every view do not).
 */
/** ISO 4217's codes of no currency (gold, silver, testing, "no currency"): they have no minor unit. */
const isCurrency = (record: { countries: string[] }) => !record.countries.every((country) => country.startsWith('Zz'));

const EXPONENTS: ReadonlyMap<string, number> = new Map(currencyCodes.data.filter(isCurrency).map((record) => [record.code, record.digits]));

/** The ISO 4217 exponent of `currency`; undefined for a code that names no currency. */
export const currencyExponent = (currency: string): number | undefined => EXPONENTS.get(currency);

/** 422 on `hourly_rate` for a code ISO 4217 does not list as a currency (fields are named at the top level, as every 422). */
export function assertKnownCurrency(rate: Money | null) {
  if (rate !== null && currencyExponent(rate.currency) === undefined) throw new ValidationError({ hourly_rate: ['The hourly rate currency must be an ISO 4217 currency code.'] });
}

/** An amount in the currency's major units, as text with exactly its exponent's decimals ("45.00", "4500", "1.250"). */
export function majorUnits(money: Money): string {
  const exponent = currencyExponent(money.currency) ?? 2;
  if (exponent === 0) return String(money.amount);
  const sign = money.amount < 0 ? '-' : '';
  const digits = String(Math.abs(money.amount)).padStart(exponent + 1, '0');
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
