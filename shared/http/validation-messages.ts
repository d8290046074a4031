import type { ErrorObject } from 'ajv';
import type { FieldErrors } from '../errors.ts';

/**
 * Turns AJV errors into the contract's 422 `errors`: one human-readable message per field,
 * in the style "The workspace id field is required.".
 */
type SchemaLike = { allOf?: ReadonlyArray<{ if?: { required?: readonly string[] } }> };

const label = (field: string) => field.replaceAll('_', ' ');

export function describeValidationErrors(ajvErrors: readonly ErrorObject[], schema: SchemaLike, input: Record<string, unknown>): FieldErrors {
  const fieldErrors: FieldErrors = {};
  for (const error of ajvErrors) {
    const described = describe(error, schema, input);
    // The first failure of a field is its message, as in the spec's examples.
    if (described && !fieldErrors[described.field]) fieldErrors[described.field] = [described.message];
  }
  return fieldErrors;
}

function describe(error: ErrorObject, schema: SchemaLike, input: Record<string, unknown>) {
  const crossField = /^#\/allOf\/(\d+)\/then\//.exec(error.schemaPath);
  if (crossField) {
    const field = fieldOf(error);
    const trigger = schema.allOf?.[Number(crossField[1])]?.if?.required?.[0] ?? 'another field';
    return { field, message: `The ${label(field)} field is required when ${label(trigger)} is present.` };
  }
  if (error.keyword === 'if') return undefined; // the `then` error above says it all
  const field = fieldOf(error);
  const name = label(field);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      // Inside an object field (a rounding without its mode): the field is there, one of its parts is not.
      if (error.instancePath !== '') return { field, message: `The ${name} field must have ${label(String(params.missingProperty))}.` };
      return { field, message: `The ${name} field is required.` };
    case 'type': {
      // A required field sent as null is missing, not mistyped.
      if (input[field] === null) return { field, message: `The ${name} field is required.` };
      const types = [params.type].flat().filter((type) => type !== 'null');
      const article = types[0] === 'integer' ? 'an' : 'a';
      return { field, message: `The ${name} field must be ${article} ${types[0]}.` };
    }
    case 'minimum':
      return { field, message: `The ${name} field must be at least ${params.limit}.` };
    case 'maximum':
      return { field, message: `The ${name} field must not be greater than ${params.limit}.` };
    case 'maxLength':
      return { field, message: `The ${name} field must not be greater than ${params.limit} characters.` };
    case 'minLength':
      return { field, message: `The ${name} field must be at least ${params.limit} characters.` };
    case 'pattern':
    case 'format':
      return { field, message: `The ${name} field format is invalid.` };
    case 'enum':
      return { field, message: `The selected ${name} is invalid.` };
    default:
      return { field, message: `The ${name} field is invalid.` };
  }
}

function fieldOf(error: ErrorObject): string {
  // Errors are named by the top-level field they are in ("/rounding/mode" → "rounding"); a missing top-level field by itself.
  const top = error.instancePath.split('/')[1]?.replaceAll('~1', '/').replaceAll('~0', '~');
  if (error.keyword === 'required' && top === undefined) return String((error.params as { missingProperty: string }).missingProperty);
  return top ?? 'body';
}
