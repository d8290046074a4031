import type { RouteDefinition } from '../route-definition.ts';
import type { ResponseDataOf } from '../route-data.ts';
import { calendarDate, cursorMeta, idSchema, nullableInteger, timestampSchema } from '../schemas.ts';
import { EXPORT_FORMATS, EXPORT_REPORTS, EXPORT_STATUSES, fileExpiresAt, type ExportJob, type ExportWithLink } from '../../tracking/exports.ts';
import { filterFields } from './reports.ts';

/** An export's id: its creation time, then 96 random bits (hex). */
const exportId = { type: 'string', pattern: '^[0-9a-f]{36}$', examples: ['0194f3a2b4c1d2e3f4a5b6c7d8e9f0a1b2c3'] } as const;

const exportPath = { type: 'object', required: ['id'], properties: { id: exportId } } as const;
const workspaceQuery = { type: 'object', required: ['workspace_id'], properties: { workspace_id: idSchema } } as const;
const listQuery = {
  type: 'object',
  required: ['workspace_id'],
  properties: {
    workspace_id: idSchema,
    cursor: { type: 'string', minLength: 1, maxLength: 1024, description: 'The `meta.pagination.next_cursor` of the page before (opaque).' },
    per_page: { type: 'integer', minimum: 1, maximum: 50 },
  },
} as const;

/** The report's own parameters: the filters and rounding of every report, and its `group_by` (summary: 1 to 3 dimensions; weekly: user or project). */
const createBody = {
  type: 'object',
  required: ['workspace_id', 'report', 'format', 'from', 'to'],
  properties: {
    workspace_id: idSchema,
    report: { enum: EXPORT_REPORTS, description: 'Which report: its rows are those of its CSV answer (docs/reports.md).' },
    format: { enum: EXPORT_FORMATS, description: '`csv` (as the report’s CSV answer) or `xlsx` (typed cells, and a Parameters sheet).' },
    from: { ...calendarDate, description: 'The first day (inclusive); at most 366 days to `to`. Weekly: the first day of the week.' },
    to: { ...calendarDate, description: 'The last day (inclusive). Weekly: the last day of that week.' },
    group_by: { type: 'string', maxLength: 100, description: 'Summary: 1 to 3 dimensions, comma-separated (required). Weekly: `user` (default) or `project`. Others: none.' },
    ...filterFields,
  },
} as const;

const exportError = {
  anyOf: [
    {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: '`source_unavailable`, `forbidden`, `invalid_parameters`, `internal_error` (docs/exports.md).' },
        message: { type: 'string' },
      },
      additionalProperties: false,
    },
    { type: 'null' },
  ],
} as const;

export const exportSchema = {
  type: 'object',
  required: ['id', 'workspace_id', 'status', 'report', 'format', 'parameters', 'created_at', 'created_by', 'started_at', 'completed_at', 'row_count', 'bytes', 'download_url', 'expires_at', 'error'],
  properties: {
    id: exportId,
    workspace_id: { type: 'integer' },
    status: { enum: EXPORT_STATUSES },
    report: { enum: EXPORT_REPORTS },
    format: { enum: EXPORT_FORMATS },
    parameters: { type: 'object', description: 'The report’s parameters as asked.', additionalProperties: { type: ['string', 'integer'] } },
    created_at: timestampSchema,
    created_by: { type: 'integer' },
    started_at: { anyOf: [timestampSchema, { type: 'null' }] },
    completed_at: { anyOf: [timestampSchema, { type: 'null' }], description: 'When it completed or failed.' },
    row_count: { ...nullableInteger, description: 'Rows of the file, its header row not counted (completed only).' },
    bytes: { ...nullableInteger, description: 'The file’s size (completed only).' },
    download_url: {
      type: ['string', 'null'],
      description: 'Completed, on GET /exports/{id} only: a link to the file, valid 15 minutes. Anyone holding it can read the file: share it as you would the file.',
    },
    expires_at: { anyOf: [timestampSchema, { type: 'null' }], description: 'Completed: when its file is deleted (7 days after); GET answers 410 from then on.' },
    error: exportError,
  },
  additionalProperties: false,
} as const;

/** An `export.*` webhook event's data: the export without a link (a link is made on GET /exports/{id} only). */
const { download_url: _link, ...eventProperties } = exportSchema.properties;
export const exportEventSchema = {
  type: 'object',
  required: exportSchema.required.filter((name) => name !== 'download_url') as Exclude<(typeof exportSchema.required)[number], 'download_url'>[],
  properties: eventProperties,
  additionalProperties: false,
} as const;

/** Exports (docs/exports.md): a report as a file, made by a job; owners and executive managers. (The route table is assembled in ../routes.ts.) */
export const exportRoutes = {
  createExport: {
    method: 'POST',
    path: '/exports',
    functionName: 'create-export',
    scope: 'write',
    idempotent: true,
    // Check 5 (BatchGetItem), then the record (PutItem) after the job is queued.
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'],
    exportFiles: 'queue',
    summary: 'Queue a report of a workspace as a CSV or XLSX file, made whatever its size; poll it, then download it',
    successOutcome: 'export_queued',
    input: { body: createBody },
    response: { status: 202, description: 'The export, queued, with its Location.', data: exportSchema, headers: ['location'] },
    errors: { '400': 'Not a JSON object.' },
    example: { input: { workspace_id: 1, report: 'detailed', format: 'csv', from: '2024-01-01', to: '2024-01-31', tz: 'Europe/Berlin' } },
  },
  getExport: {
    method: 'GET',
    path: '/exports/{id}',
    functionName: 'get-export',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
    exportFiles: 'read',
    summary: 'An export’s state; once completed, a download link valid 15 minutes',
    successOutcome: 'export_read',
    input: { path: exportPath, query: workspaceQuery },
    response: { description: 'The export.', data: exportSchema },
    errors: { '410': 'Its file was deleted, 7 days after it was made (`export_expired`).' },
    example: { after: 'createExport', input: { id: '0194f3a2b4c1d2e3f4a5b6c7d8e9f0a1b2c3', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  listExports: {
    method: 'GET',
    path: '/exports',
    functionName: 'list-exports',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: 'A workspace’s exports of the last 7 days, newest first (without download links)',
    successOutcome: 'exports_listed',
    input: { query: listQuery },
    response: { description: 'One page of exports.', data: { type: 'array', items: exportSchema }, meta: cursorMeta },
    example: { after: 'createExport', input: { workspace_id: 1 } },
  },
} as const satisfies Record<string, RouteDefinition>;

/** An export as every export route answers it; the link only where GET /exports/{id} made one. */
export function exportView(job: ExportJob | ExportWithLink): ResponseDataOf<typeof exportRoutes.getExport> {
  return {
    id: job.exportId,
    workspace_id: job.workspaceId,
    status: job.status,
    report: job.report,
    format: job.format,
    parameters: { ...job.parameters },
    created_at: job.createdAt,
    created_by: job.createdBy,
    started_at: job.startedAt,
    completed_at: job.completedAt,
    row_count: job.rowCount,
    bytes: job.bytes,
    download_url: 'downloadUrl' in job ? job.downloadUrl : null,
    expires_at: job.status === 'completed' ? fileExpiresAt(job) : null,
    error: job.error,
  };
}
