import type { PropertySchema, RowSchema } from './schema.ts';

/** A property's JSON Schema types, as a list. */
export function typesOf(schema: PropertySchema): string[] {
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** True when a column's schema admits null: a missing value the model imputes. */
export function admitsNull(schema: PropertySchema): boolean {
  return typesOf(schema).includes('null');
}

/**
 * The required columns that do not admit null: all a prediction request must
 * send, since an absent key of a nullable column means null.
 */
export function requiredNotNull(row: RowSchema): string[] {
  return row.required.filter((name) => {
    const schema = row.properties[name];
    return !(schema && admitsNull(schema));
  });
}
