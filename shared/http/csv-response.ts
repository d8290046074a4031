import { stringify } from 'csv-stringify/sync';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { CsvCell, CsvTable } from '../contracts/report-views.ts';
import { ReportTooLargeError } from '../errors.ts';

/** What Lambda answers at most (its response payload, the body as JSON text included): a larger CSV is refused, never cut short. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
/** Room left for the status, the headers and the JSON framing of the body. */
const FRAMING_BYTES = 16 * 1024;

/** A cell a spreadsheet would read as a formula (OWASP "CSV injection") starts with one of these: it is prefixed with a quote. */
const FORMULA_START = /^[=+\-@\t\r]/;

export const neutralised = (cell: CsvCell): string => {
  if (cell === null) return '';
  const text = String(cell);
  return typeof cell === 'string' && FORMULA_START.test(text) ? `'${text}` : text;
};

/** RFC 4180 as every CSV of the service is written (the reports' answers and their exports). */
// csv-stringify quotes a field holding the record delimiter (CRLF) but not a bare LF or CR, which readers take as a line break.
export const CSV_OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

/** Whether the request asks for CSV (`Accept: text/csv`, with or without parameters, among other types). */
export const acceptsCsv = (accept: string | undefined) => accept?.split(',').some((type) => type.split(';')[0]!.trim().toLowerCase() === 'text/csv') === true;

/** Whether an answer's body would pass what Lambda can return (its JSON framing included). */
export const exceedsResponseLimit = (body: string) => Buffer.byteLength(JSON.stringify(body)) + FRAMING_BYTES > MAX_RESPONSE_BYTES;

/** RFC 4180 (CRLF, quotes where needed), with a header row, as an attachment; 422 `report_too_large` past Lambda's limit. */
export function csvResponse(table: CsvTable, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  const body = stringify(
    table.rows.map((row) => row.map(neutralised)),
    CSV_OPTIONS,
  );
  // JSON escaping grows the body (every quote and line break): measure what Lambda measures.
  if (exceedsResponseLimit(body)) throw new ReportTooLargeError();
  return {
    statusCode: 200,
    headers: { ...headers, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${table.filename}"` },
    body,
  };
}
