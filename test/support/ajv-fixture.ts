import type { ErrorObject } from 'ajv';

/**
 * AJV-shaped errors for a middleware test that stubs a validator: `reject` names the fields
 * to fail and the keyword they fail on (`required` reports the field as missing).
 */
export function ajvErrorsFixture(value: Record<string, unknown>, reject: Record<string, string>): ErrorObject[] {
  return Object.entries(reject).map(([field, keyword]) =>
    keyword === 'required'
      ? ({ keyword, instancePath: '', schemaPath: '#/required', params: { missingProperty: field } } as ErrorObject)
      : ({ keyword, instancePath: `/${field}`, schemaPath: `#/properties/${field}/${keyword}`, params: {}, data: value[field] } as ErrorObject),
  );
}
