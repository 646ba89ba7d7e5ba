import { describeSchemaError, pointerToken } from '@housing/core/schema-errors';
import { admitsNull, typesOf } from '@housing/model-card/row-schema';
import type { PropertySchema, RowSchema } from '@housing/model-card/schema';
import { countChars, type BodyBudget } from '@housing/core/http-body';
import type { ProblemList } from '../http/errors.ts';
import type { LoadedModel } from '../model/load-model.ts';
import type { Row } from '../model/row.ts';

/** What checking a row needs of a model: its input contract and ajv's validator of it. */
export type RowValidator = Pick<LoadedModel, 'card' | 'validateRow'>;

/** What the service reads of an input contract itself, beside ajv. */
interface RowShape {
  /** The contract's columns. */
  known: ReadonlySet<string>;
  /** `additionalProperties: false`: a key that is not a column is an error. */
  closed: boolean;
  /** Columns that admit null: an absent key means null. */
  nullable: readonly string[];
  /** The most ':' characters a valid row holds (Infinity when the contract does not bound it). */
  colons: number;
  /** The most '{' and '[' characters a valid row holds (Infinity when unbounded). */
  containers: number;
}

/** One shape per contract object, so per loaded model, read on its first request. */
const shapes = new WeakMap<RowSchema, RowShape>();

function shapeOf(contract: RowSchema): RowShape {
  let shape = shapes.get(contract);
  if (!shape) {
    const properties = Object.entries(contract.properties ?? {});
    shape = {
      known: new Set(properties.map(([name]) => name)),
      closed: closed(contract),
      nullable: properties.filter(([, schema]) => admitsNull(schema)).map(([name]) => name),
      colons: closed(contract) ? rowChars(properties, [':']) : Infinity,
      // The row's own '{', and any inside its names and string values.
      containers: closed(contract) ? rowChars(properties, ['{', '['], 0) : Infinity,
    };
    shapes.set(contract, shape);
  }
  return shape;
}

function closed(contract: RowSchema): boolean {
  return contract.additionalProperties === false;
}

/**
 * A valid row's most `chars` characters: `perKey` of them for each key (1 for
 * the ':' after it, 0 for brackets) plus those inside its names and its string
 * values, and one more for the row's own '{' when counting brackets.
 * Unbounded when a string column has no enum.
 */
function rowChars(properties: [string, PropertySchema][], chars: string[], perKey = 1): number {
  const inText = (text: string) => chars.reduce((n, c) => n + countChars(text, c, Infinity), 0);
  let count = chars.includes('{') ? 1 : 0;
  for (const [name, schema] of properties) {
    count += perKey + inText(name);
    if (!schema.enum) {
      if (typesOf(schema).includes('string')) return Infinity;
      continue;
    }
    count += schema.enum.reduce((most, value) => Math.max(most, inText(String(value))), 0);
  }
  return count;
}

/**
 * The most keys and containers the text of a valid request holds under this
 * model and batch limit: a batch of `maxBatchRows` valid rows, its
 * "instances" and the two containers around them. A body with more is
 * invalid; readJsonBody rejects it before JSON.parse, which spends ~60 ms on
 * 130,000 keys of one object and ~80 ms on 330,000 empty objects.
 */
export function bodyBudget(model: Pick<RowValidator, 'card'>, maxBatchRows: number): BodyBudget {
  const shape = shapeOf(model.card.input_contract);
  return {
    colons: 1 + maxBatchRows * shape.colons,
    containers: 2 + maxBatchRows * shape.containers,
    largest: `a batch of ${maxBatchRows} rows`,
  };
}

/**
 * Checks one request row against the model's input contract and adds what is
 * wrong to `problems`, each under `path` (`/instances/3`, or '' for the
 * single route). Stops as soon as `problems` is full.
 *
 * Unknown keys are found here, not by ajv: with `allErrors`, ajv walks every
 * key of an object and builds an error for each, so a 1 MB row of 130,000
 * keys cost 130,000 error objects. Here the walk stops at the list's cap, and
 * ajv only ever sees the contract's own keys.
 *
 * An absent key of a column that admits null is set to null, so that ajv, the
 * model (on either thread) and the drift monitor all see the same row
 * whether the client sent null or left the key out, whatever card is loaded.
 */
export function checkRow(model: RowValidator, row: Row, path: string, problems: ProblemList): void {
  const shape = shapeOf(model.card.input_contract);
  let unknown = false;
  if (shape.closed) {
    for (const key in row) {
      if (shape.known.has(key)) continue;
      unknown = true;
      if (!problems.add(`${path}/${pointerToken(key)}`, 'is not a known feature')) return;
    }
  }
  for (const name of shape.nullable) if (row[name] === undefined) row[name] = null;
  const subject = unknown ? onlyKnown(row, shape.known) : row;
  const { validateRow } = model;
  if (validateRow(subject)) return;
  for (const error of validateRow.errors ?? []) {
    const problem = describeSchemaError(error);
    if (!problems.add(`${path}${problem.path}`, problem.message)) return;
  }
}

/** The row without the keys the contract does not know: all ajv needs to see of it. */
function onlyKnown(row: Row, known: ReadonlySet<string>): Row {
  const out: Row = {};
  for (const name of known) if (Object.hasOwn(row, name)) out[name] = row[name];
  return out;
}
