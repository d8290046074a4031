import type { ValidateFunction } from 'ajv';
import { BadRequestError, ValidationError, type FieldErrors } from '../errors.ts';
import type { HttpRequest } from './types.ts';
import { describeValidationErrors } from './validation-messages.ts';

export type InputSource = 'body' | 'query';
type ObjectSchema = { properties: Record<string, unknown>; allOf?: ReadonlyArray<{ if?: { required?: readonly string[] } }> };

/**
 * Checks 3 and 4: the body is a JSON object (400), then every field is valid (422, one
 * message per field) against a validator precompiled at build time.
 *
 * Before validating, like the original API: only the schema's fields are kept (unknown
 * fields are ignored and can never be stored), strings are trimmed, and an empty string
 * is null in a body and absent in a query string.
 */
export function validateInput(opts: { source: InputSource; validate: ValidateFunction; schema: ObjectSchema }) {
  const validateInputBefore = (request: HttpRequest) => {
    // Path parameters (`/webhooks/{id}`) are input fields like the query's.
    const raw = opts.source === 'body' ? request.event.body : { ...(request.event.queryStringParameters ?? {}), ...(request.event.pathParameters ?? {}) };
    if (!isPlainObject(raw)) throw new BadRequestError('The request body must be a JSON object.');
    const { input, errors: encodingErrors } = normalize(raw, opts.schema, opts.source);
    const schemaErrors = opts.validate(input) ? {} : describeValidationErrors(opts.validate.errors ?? [], opts.schema, input);
    const errors = { ...schemaErrors, ...encodingErrors };
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    request.context.input = input;
  };
  return { before: validateInputBefore };
}

function normalize(raw: Record<string, unknown>, schema: ObjectSchema, source: InputSource) {
  const input: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const field of Object.keys(schema.properties)) {
    if (!Object.hasOwn(raw, field)) continue;
    let value = raw[field];
    if (typeof value === 'string') {
      // DynamoDB stores UTF-8 only: a lone surrogate (from a "\ud800" escape) cannot be kept.
      if (!value.isWellFormed()) {
        errors[field] = [`The ${field.replaceAll('_', ' ')} field must be a valid UTF-8 string.`];
        continue;
      }
      value = value.trim();
      if (value === '') {
        if (source === 'query') continue;
        value = null;
      }
    }
    input[field] = value;
  }
  return { input, errors };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
