import type { ErrorObject } from 'ajv';
import {
  admitsNull,
  typesOf,
  type PropertySchema,
  type RowSchema,
} from '../../../pipeline/src/contract/contract.ts';
import { countColons } from '../http/json-body.ts';
import type { ProblemList } from '../http/errors.ts';
import type { LoadedModel, Row } from '../model/load-model.ts';

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
}

/** One shape per contract object, so per loaded model, read on its first request. */
const shapes = new WeakMap<RowSchema, RowShape>();

function shapeOf(contract: RowSchema): RowShape {
  let shape = shapes.get(contract);
  if (!shape) {
    const properties = Object.entries(contract.properties ?? {});
    shape = {
      known: new Set(properties.map(([name]) => name)),
      closed: contract.additionalProperties === false,
      nullable: properties.filter(([, schema]) => admitsNull(schema)).map(([name]) => name),
      colons: contract.additionalProperties === false ? rowColons(properties) : Infinity,
    };
    shapes.set(contract, shape);
  }
  return shape;
}

/**
 * A valid row's ':' characters: one after each key, plus those inside its
 * names and its string values. Unbounded when a string column has no enum.
 */
function rowColons(properties: [string, PropertySchema][]): number {
  let colons = 0;
  for (const [name, schema] of properties) {
    colons += 1 + countColons(name, Infinity);
    if (!schema.enum) {
      if (typesOf(schema).includes('string')) return Infinity;
      continue;
    }
    colons += schema.enum.reduce(
      (most, value) => Math.max(most, countColons(String(value), Infinity)),
      0,
    );
  }
  return colons;
}

/**
 * The most ':' characters the text of a valid request holds under this model
 * and batch limit: a batch of `maxBatchRows` valid rows and its "instances".
 * A body with more has keys no valid request has; readJsonBody rejects it
 * before JSON.parse, which spends ~60 ms on 130,000 keys of one object.
 */
export function colonBudget(model: RowValidator, maxBatchRows: number): number {
  return 1 + maxBatchRows * shapeOf(model.card.input_contract).colons;
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
    const problem = describe(error);
    if (!problems.add(`${path}${problem.path}`, problem.message)) return;
  }
}

/** The row without the keys the contract does not know: all ajv needs to see of it. */
function onlyKnown(row: Row, known: ReadonlySet<string>): Row {
  const out: Row = {};
  for (const name of known) if (Object.hasOwn(row, name)) out[name] = row[name];
  return out;
}

/** A key as one JSON Pointer token (RFC 6901), as ajv writes instance paths. */
function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** One ajv error as {path, message}, with the path of a missing property itself. */
function describe(e: ErrorObject): { path: string; message: string } {
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { path: `/${pointerToken(missing)}`, message: 'is required' };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues
      .map((v) => JSON.stringify(v))
      .join(', ');
    return { path: e.instancePath, message: `must be one of ${allowed}` };
  }
  return { path: e.instancePath, message: e.message ?? e.keyword };
}
