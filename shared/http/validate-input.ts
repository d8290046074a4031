import type { ValidateFunction } from 'ajv';
import type { InputLocation, InputSchema } from '../contracts/routes.ts';
import { BadRequestError, ValidationError, type FieldErrors } from '../errors.ts';
import type { HttpRequest } from './types.ts';
import { describeValidationErrors } from './validation-messages.ts';

/** One input location of a route: its schema and the validator precompiled from it. */
export type LocationValidator = { schema: InputSchema; validate: ValidateFunction };
export type InputValidators = { readonly [L in InputLocation]?: LocationValidator };

/**
 * Checks 3 and 4: the body is a JSON object (400), then every field of every location
 * (path, query, headers, body) is valid (422, one message per field, all locations in one
 * answer) against validators precompiled at build time.
 *
 * Before validating, like the original API: only the schema's fields are kept (unknown
 * fields are ignored and can never be stored), strings are trimmed, and an empty string is
 * null in a body and absent anywhere else. Path, query and body fields become the use
 * case's input; headers are kept apart (`context.headers`).
 */
export function validateInput(validators: InputValidators) {
  const locations = (Object.keys(validators) as InputLocation[]).filter((location) => validators[location]);
  const validateInputBefore = (request: HttpRequest) => {
    const { event } = request;
    if (validators.body && !isPlainObject(event.body)) throw new BadRequestError('The request body must be a JSON object.');
    const input: Record<string, unknown> = {};
    let headers: Record<string, unknown> = {};
    let errors: FieldErrors = {};
    for (const location of locations) {
      const { schema, validate } = validators[location]!;
      const raw = rawOf(event, location);
      const { values, errors: encodingErrors } = normalize(raw, schema, location);
      const schemaErrors = validate(values) ? {} : describeValidationErrors(validate.errors ?? [], schema, values);
      errors = { ...errors, ...schemaErrors, ...encodingErrors };
      if (location === 'headers') headers = values;
      else Object.assign(input, values);
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    request.context.input = input;
    request.context.headers = headers;
  };
  return { before: validateInputBefore };
}

function rawOf(event: HttpRequest['event'], location: InputLocation): Record<string, unknown> {
  switch (location) {
    case 'body':
      return event.body as unknown as Record<string, unknown>;
    case 'path':
      return event.pathParameters ?? {};
    case 'query':
      return event.queryStringParameters ?? {};
    case 'headers':
      return event.headers ?? {};
  }
}

function normalize(raw: Record<string, unknown>, schema: InputSchema, location: InputLocation) {
  const values: Record<string, unknown> = {};
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
        if (location !== 'body') continue;
        value = null;
      }
    }
    values[field] = value;
  }
  return { values, errors };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
