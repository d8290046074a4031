import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { CsvCell } from '../contracts/report-views.ts';
import { CSV_OPTIONS, neutralised } from '../http/csv-response.ts';
import type { ReportTable } from './report-table.ts';

/** What the "Parameters" sheet of a workbook lists, in order. */
export type ExportHeading = Array<[string, string | number]>;

/**
 * The CSV's rows: one row as the report's CSV answer writes it (RFC 4180, CRLF, formulas
 * neutralised). A file is its header's line, then its rows' (the worker uploads them in parts
 * that end on whole rows: functions/export-worker).
 */
export const csvLine = (cells: readonly CsvCell[]): Buffer => Buffer.from(stringify([cells.map(neutralised)], CSV_OPTIONS), 'utf8');

/** How a column's cells are typed in a workbook, by the CSV header's name; any other cell keeps its own type (numbers as numbers). */
type ColumnKind = 'date' | 'time' | 'hours' | 'money' | 'plain';
const columnKind = (name: string): ColumnKind => {
  if (name === 'date' || name === 'week' || name === 'period_start' || name === 'period_end') return 'date';
  if (name === 'start_time' || name === 'end_time' || name.endsWith('_at')) return 'time';
  if (name.endsWith('hours')) return 'hours';
  if (name === 'amount' || name === 'hourly_rate') return 'money';
  return 'plain';
};

/** A calendar date (YYYY-MM-DD) as the date a spreadsheet shows: midnight UTC, which exceljs stores as that day. */
const dateCell = (value: CsvCell) => (typeof value === 'string' && value !== '' ? new Date(`${value}T00:00:00Z`) : null);
const timeCell = (value: CsvCell) => (typeof value === 'string' && value !== '' ? new Date(value) : null);
const numberCell = (value: CsvCell) => (value === '' || value === null ? null : Number(value));

/** A money format showing the amount's own decimals and currency code: `#,##0.00 "EUR"`. */
const moneyFormat = (text: string, currency: string) => {
  const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  return `#,##0${decimals > 0 ? `.${'0'.repeat(decimals)}` : ''} "${currency}"`;
};

/**
 * Writes a report's table into `sink` as an XLSX workbook with typed cells, row by row as
 * they come, with exceljs's streaming writer (each row is committed and let go; the sink
 * sends them on in parts). Resolves with the number of rows (the header row not counted).
 */
export async function writeXlsx(table: ReportTable, heading: ExportHeading, sink: Writable): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Rows');
  const kinds = table.header.map(columnKind);
  const currencyColumn = table.header.indexOf('currency');
  sheet.columns = table.header.map((name, index) => ({
    header: name,
    width: Math.max(10, Math.min(40, name.length + 4)),
    ...(kinds[index] === 'date' ? { style: { numFmt: 'yyyy-mm-dd' } } : {}),
    ...(kinds[index] === 'time' ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : {}),
    ...(kinds[index] === 'hours' ? { style: { numFmt: '0.00' } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  let rows = 0;
  for await (const cells of table.rows) {
    const currency = currencyColumn === -1 ? '' : String(cells[currencyColumn] ?? '');
    const row = sheet.addRow(
      cells.map((cell, index) => {
        const kind = kinds[index];
        if (kind === 'date') return dateCell(cell);
        if (kind === 'time') return timeCell(cell);
        if (kind === 'hours' || kind === 'money') return numberCell(cell);
        return cell === '' ? null : cell;
      }),
    );
    kinds.forEach((kind, index) => {
      const text = cells[index];
      if (kind === 'money' && typeof text === 'string' && text !== '' && currency !== '') row.getCell(index + 1).numFmt = moneyFormat(text, currency);
    });
    row.commit();
    rows++;
  }
  sheet.commit();
  const parameters = workbook.addWorksheet('Parameters');
  parameters.columns = [
    { header: 'parameter', width: 20 },
    { header: 'value', width: 60 },
  ];
  for (const [name, value] of heading) parameters.addRow([name, value]).commit();
  parameters.commit();
  await workbook.commit();
  return rows;
}
