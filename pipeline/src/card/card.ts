import { requiredNotNull } from '@housing/model-card/row-schema';
import type { RowSchema } from '@housing/model-card/schema';

/** The data contract's row schema without the target: what a prediction request sends. */
export function inputContract(row: RowSchema, target: string): RowSchema {
  // A request may leave out a column that admits null: absent means null, which the model
  // imputes. Training rows still carry every column (an empty CSV cell is null).
  const properties = Object.fromEntries(
    Object.entries(row.properties).filter(([name]) => name !== target),
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Prediction request row',
    type: 'object',
    additionalProperties: false,
    required: requiredNotNull(row).filter((c) => c !== target),
    properties,
  };
}
