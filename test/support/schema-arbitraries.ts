import fc from 'fast-check';

/** A value the property schema accepts (the shapes the contracts use), so that the valid branch is reached. */
export const arbitraryOf = (property: Record<string, any>): fc.Arbitrary<unknown> => {
  const types: string[] = [property.type].flat().filter(Boolean);
  const options: Array<fc.Arbitrary<unknown>> = [];
  // An enum is all a field accepts, whatever its type says.
  if (property.enum) return fc.constantFrom(...property.enum);
  if (property.const !== undefined) options.push(fc.constant(property.const));
  if (types.includes('integer')) options.push(fc.integer({ min: property.minimum ?? -1000, max: Math.min(property.maximum ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) }));
  if (types.includes('string')) {
    if (property.pattern === '^\\d{4}-\\d{2}-\\d{2}$')
      options.push(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)));
    else if (property.pattern?.startsWith('^wh_')) options.push(fc.stringMatching(/^wh_[A-Za-z0-9_-]{1,64}$/));
    else if (property.pattern) options.push(fc.stringMatching(new RegExp(property.pattern)));
    else
      options.push(
        fc.string({ minLength: Math.max(1, property.minLength ?? 1), maxLength: Math.min(property.maxLength ?? 50, 50) }).filter((value) => value.trim().length > 0 && value.trim() === value),
      );
  }
  if (types.includes('array') && property.items?.enum)
    options.push(fc.uniqueArray(fc.constantFrom(...property.items.enum), { minLength: property.minItems ?? 0, maxLength: property.maxItems ?? property.items.enum.length }));
  if (types.includes('boolean')) options.push(fc.boolean());
  if (types.includes('object') && property.properties)
    options.push(
      fc.record(Object.fromEntries(Object.entries(property.properties as Record<string, Record<string, any>>).map(([field, schema]) => [field, arbitraryOf(schema)])), {
        requiredKeys: [...(property.required ?? [])] as never[],
      }),
    );
  if (property.anyOf) options.push(...(property.anyOf as Array<Record<string, any>>).map(arbitraryOf));
  if (types.includes('null')) options.push(fc.constant(null));
  if (options.length === 0) throw new Error(`no generator for ${JSON.stringify(property)}`);
  return fc.oneof(...options);
};
