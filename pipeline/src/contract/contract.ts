import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { ConfigurationError, errorMessage, listSome, truncateText } from '@housing/core/errors';
import { parseJsonText } from '@housing/core/json-text';
import { readTextFile } from '@housing/core/read-text';
import { admitsNull, typesOf } from '@housing/model-card/row-schema';
import type { RowSchema } from '@housing/model-card/schema';

/** Rules for a dataset as a whole. */
export interface DatasetRules {
  min_rows: number;
  /** Largest allowed share of nulls, per column, with a default for the others. */
  max_null_rate: { default: number } & Record<string, number>;
  max_duplicate_rows: number;
  target_range: { min: number; max: number };
}

/** A data contract: the row schema plus dataset rules. */
export interface DataContract {
  target: string;
  row: RowSchema;
  dataset: DatasetRules;
}

/** Column kinds the pipeline derives from the contract. */
export interface ContractColumns {
  /** Every column, in the contract's order. */
  all: string[];
  numeric: string[];
  categorical: { name: string; categories: string[] }[];
  nullable: Set<string>;
  target: string;
  /** Feature columns: all but the target. */
  features: string[];
}

/** A compiled contract, ready to validate rows. */
export interface CompiledContract {
  contract: DataContract;
  columns: ContractColumns;
  validateRow: ValidateFunction;
}

/** The most a contract file may hold: room for enums of many thousand categories. */
const MAX_CONTRACT_BYTES = 16 * 1024 * 1024;

/** Reads a contract file and compiles it. */
export async function loadContract(file: string): Promise<CompiledContract> {
  const text = await readTextFile(file, { what: 'data contract', maxBytes: MAX_CONTRACT_BYTES });
  return compileContract(parseJsonText(text, file) as DataContract, file);
}

/** Checks a contract's shape and compiles its row schema with ajv (once). */
export function compileContract(contract: DataContract, file = 'contract'): CompiledContract {
  const row = contract.row as RowSchema | undefined;
  if (typeof contract.target !== 'string')
    throw new ConfigurationError("'target' must name a column", file);
  if (!row || typeof row.properties !== 'object')
    throw new ConfigurationError("'row' must be a JSON Schema with 'properties'", file);
  if (!(contract.target in row.properties)) {
    throw new ConfigurationError(`target '${contract.target}' is not a property of row`, file);
  }
  const d = contract.dataset as DatasetRules | undefined;
  if (
    !d ||
    typeof d.min_rows !== 'number' ||
    typeof d.max_null_rate?.default !== 'number' ||
    typeof d.max_duplicate_rows !== 'number' ||
    typeof d.target_range?.min !== 'number' ||
    typeof d.target_range.max !== 'number'
  ) {
    throw new ConfigurationError(
      "'dataset' needs min_rows, max_null_rate.default, max_duplicate_rows and target_range {min, max}",
      file,
    );
  }
  const regex = findRegex(row, 'row');
  if (regex)
    throw new ConfigurationError(
      `${regex}: the contract's columns are numbers or string enums, which need no regular expression, and one that backtracks could stall validation on a single CSV value`,
      file,
    );
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  let validateRow: ValidateFunction;
  try {
    validateRow = ajv.compile(row);
  } catch (error) {
    throw new ConfigurationError(`row schema does not compile: ${errorMessage(error)}`, file);
  }
  return { contract, columns: contractColumns(contract), validateRow };
}

/** Keywords whose value ajv compiles to a RegExp run on input values or keys. */
const REGEX_KEYWORDS = new Set(['pattern', 'patternProperties']);

/** Keywords whose value maps names (a column may be called 'pattern') to schemas. */
const NAMED_SCHEMAS = new Set(['properties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords that hold data, not schemas: a value 'pattern' there is no keyword. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'required', 'examples', 'default']);

/** The dotted path of the first regular-expression keyword in a schema, if any. */
function findRegex(schema: unknown, path: string): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    const at = `${path}.${key}`;
    if (DATA_KEYWORDS.has(key)) continue;
    if (REGEX_KEYWORDS.has(key)) return at;
    const children =
      NAMED_SCHEMAS.has(key) && typeof value === 'object' && value !== null
        ? Object.entries(value as Record<string, unknown>).map(([name, sub]) =>
            findRegex(sub, `${at}.${name}`),
          )
        : [findRegex(value, at)];
    const found = children.find((f) => f !== undefined);
    if (found) return found;
  }
  return undefined;
}

/** Splits the contract's columns by kind. */
export function contractColumns(contract: DataContract): ContractColumns {
  const all = Object.keys(contract.row.properties);
  const numeric: string[] = [];
  const categorical: { name: string; categories: string[] }[] = [];
  const nullable = new Set<string>();
  for (const name of all) {
    const schema = contract.row.properties[name]!;
    const types = typesOf(schema);
    if (admitsNull(schema)) nullable.add(name);
    if (types.includes('number') || types.includes('integer')) numeric.push(name);
    else if (types.includes('string') && schema.enum)
      categorical.push({ name, categories: [...schema.enum] });
    else
      throw new ConfigurationError(
        `column '${name}' must be numeric or a string enum`,
        'contract row',
      );
  }
  return {
    all,
    numeric,
    categorical,
    nullable,
    target: contract.target,
    features: all.filter((c) => c !== contract.target),
  };
}

/** One ajv error, rewritten to name the column and say what is wrong. */
export interface FieldError {
  column: string;
  message: string;
  value?: unknown;
}

/** Longest cell text a {@link FieldError} quotes; the rest is replaced by a marker. */
export const MAX_QUOTED_VALUE_CHARS = 80;

/** Turns ajv errors on a row object into per-column messages. */
export function describeRowErrors(
  errors: ErrorObject[] | null | undefined,
  row: Record<string, unknown>,
): FieldError[] {
  return (errors ?? []).map((e) => {
    if (e.keyword === 'required') {
      const column = (e.params as { missingProperty: string }).missingProperty;
      return { column, message: 'is required' };
    }
    if (e.keyword === 'additionalProperties') {
      const column = (e.params as { additionalProperty: string }).additionalProperty;
      return { column, message: 'is not in the contract' };
    }
    const column = e.instancePath.replace(/^\//, '') || '(row)';
    const value = row[column];
    let message = e.message ?? e.keyword;
    if (e.keyword === 'enum') {
      // A contract's enum can be long: name its first values and how many more.
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      message = `must be one of ${listSome(allowed.map((v) => JSON.stringify(v)))}`;
    }
    // A field can be as long as a record (a MiB): reports, summaries and annotations quote a cut.
    return {
      column,
      message,
      value: typeof value === 'string' ? truncateText(value, MAX_QUOTED_VALUE_CHARS) : value,
    };
  });
}
