import type { CompiledContract } from '../contract/contract.ts';
import { parsePlainDecimal } from '../data/decimal.ts';
import { typesOf } from '@housing/model-card/row-schema';
import type { PropertySchema } from '@housing/model-card/schema';

/** Row-schema keywords the fast path understands; any other one leaves every row to ajv. */
const ROW_KEYWORDS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'type',
  'additionalProperties',
  'required',
  'properties',
]);
const ANNOTATIONS = ['$comment', 'title', 'description'];
const NUMERIC_KEYWORDS = new Set([
  ...ANNOTATIONS,
  'type',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
]);
const TEXT_KEYWORDS = new Set([...ANNOTATIONS, 'type', 'enum']);
const COMMA = 44;
const BOUNDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const;

/**
 * The contract's row schema compiled column by column, for the rows that
 * plainly pass it: a plain decimal within a numeric column's bounds, an empty
 * cell in a nullable numeric column, a category spelled exactly as the enum
 * has it. `accept` says yes only when ajv would accept the row that
 * `rowFromFields` builds, with the same values; anything else (a bad value,
 * spaces around a cell, an exponent, a null category) is left to that
 * general path, which gives every error text and JSON Pointer. So the fast
 * path changes the speed and never the report: rows that fail are rare, and
 * they cost what every row cost before.
 */
export class RowCheck {
  /** After an accepted row: each numeric column's value, NaN for an empty cell. */
  readonly numbers: Float64Array;
  /** After an accepted row: each text column's category. */
  readonly texts: string[];
  /** 1 for a text (category) column, 0 for a numeric one, in `columns.all` order. */
  readonly text: Uint8Array;
  private readonly nullable: Uint8Array;
  private readonly integer: Uint8Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly exclusiveMin: Float64Array;
  private readonly exclusiveMax: Float64Array;
  private readonly categories: (Set<string> | undefined)[];

  private constructor(properties: PropertySchema[]) {
    const n = properties.length;
    this.numbers = new Float64Array(n);
    this.texts = new Array<string>(n).fill('');
    this.text = new Uint8Array(n);
    this.nullable = new Uint8Array(n);
    this.integer = new Uint8Array(n);
    this.min = new Float64Array(n).fill(-Infinity);
    this.max = new Float64Array(n).fill(Infinity);
    this.exclusiveMin = new Float64Array(n).fill(-Infinity);
    this.exclusiveMax = new Float64Array(n).fill(Infinity);
    this.categories = new Array<Set<string> | undefined>(n).fill(undefined);
    properties.forEach((schema, c) => {
      const types = typesOf(schema);
      this.nullable[c] = types.includes('null') ? 1 : 0;
      if (schema.enum) {
        this.text[c] = 1;
        // A cell is trimmed before the enum sees it: a category with spaces
        // around it can never match, and one without them matches only an
        // untrimmed cell that is exactly it.
        this.categories[c] = new Set(schema.enum.filter((v) => v !== '' && v.trim() === v));
        return;
      }
      this.text[c] = 0;
      this.integer[c] = types.includes('number') ? 0 : 1;
      this.min[c] = schema.minimum ?? -Infinity;
      this.max[c] = schema.maximum ?? Infinity;
      this.exclusiveMin[c] = schema.exclusiveMinimum ?? -Infinity;
      this.exclusiveMax[c] = (schema as { exclusiveMaximum?: number }).exclusiveMaximum ?? Infinity;
    });
  }

  /**
   * The fast check for a contract's row schema, or undefined when the schema
   * uses anything it does not model exactly (then ajv judges every row).
   */
  static compile({ contract, columns }: CompiledContract): RowCheck | undefined {
    const row = contract.row as unknown as Record<string, unknown>;
    if (Object.keys(row).some((k) => !ROW_KEYWORDS.has(k))) return undefined;
    if (row.type !== 'object') return undefined;
    if (row.additionalProperties !== undefined && typeof row.additionalProperties !== 'boolean')
      return undefined;
    // A required column outside the properties is missing from every row: ajv says so.
    const required = row.required;
    if (required !== undefined) {
      if (!Array.isArray(required)) return undefined;
      if (required.some((name) => typeof name !== 'string' || !columns.all.includes(name)))
        return undefined;
    }
    // Such a name would set the row object's prototype, not a property.
    if (columns.all.includes('__proto__')) return undefined;
    const properties = columns.all.map((name) => contract.row.properties[name]!);
    return properties.every(modelled) ? new RowCheck(properties) : undefined;
  }

  /**
   * True when the row surely passes the row schema; then {@link numbers} and
   * {@link texts} hold its values by column, exactly those `rowFromFields`
   * gives. False means "ask ajv", not "invalid".
   */
  accept(fields: readonly string[], indices: readonly number[]): boolean {
    const n = this.text.length;
    for (let c = 0; c < n; c++) {
      const raw = fields[indices[c]!]!;
      if (!this.take(c, raw, 0, raw.length)) return false;
    }
    return true;
  }

  /**
   * {@link accept} for an unsplit line, `text.slice(start, end)`, whose
   * field at position p belongs to column `columnOf[p]`: the same answer and
   * values as for the line's fields, without a string per numeric field.
   */
  acceptLine(text: string, start: number, end: number, columnOf: Int32Array): boolean {
    const width = columnOf.length;
    let from = start;
    for (let p = 0; p < width; p++) {
      // Scanned up to `end` only: a line without commas must not read on into the chunk.
      let to = from;
      while (to < end && text.charCodeAt(to) !== COMMA) to++;
      // Too few fields, or too many: the general path says which.
      if ((to === end) !== (p === width - 1)) return false;
      if (!this.take(columnOf[p]!, text, from, to)) return false;
      from = to + 1;
    }
    return true;
  }

  /** Judges column c's cell `text.slice(from, to)`, keeping its value when it surely passes. */
  private take(c: number, text: string, from: number, to: number): boolean {
    if (this.text[c] === 1) {
      const raw = text.slice(from, to);
      if (!this.categories[c]!.has(raw)) return false;
      this.texts[c] = raw;
      return true;
    }
    if (to === from) {
      if (this.nullable[c] === 0) return false;
      this.numbers[c] = NaN;
      return true;
    }
    // A plain decimal has no spaces to trim, and is the double Number gives.
    const v = parsePlainDecimal(text, from, to);
    if (
      !(
        v >= this.min[c]! &&
        v <= this.max[c]! &&
        v > this.exclusiveMin[c]! &&
        v < this.exclusiveMax[c]!
      ) ||
      (this.integer[c] === 1 && !Number.isInteger(v))
    )
      return false; // NaN fails every comparison
    this.numbers[c] = v;
    return true;
  }
}

/** True when a column's schema is one the fast path judges exactly as ajv does. */
function modelled(schema: PropertySchema): boolean {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return false;
  const raw = schema.type as unknown;
  const types = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (types.length === 0 || types.some((t) => typeof t !== 'string')) return false;
  const keys = Object.keys(schema);
  if (schema.enum !== undefined) {
    // A category column: strings from a list, perhaps null (left to ajv).
    return (
      Array.isArray(schema.enum) &&
      schema.enum.every((v) => typeof v === 'string') &&
      types.every((t) => t === 'string' || t === 'null') &&
      types.includes('string') &&
      keys.every((k) => TEXT_KEYWORDS.has(k))
    );
  }
  return (
    types.every((t) => t === 'number' || t === 'integer' || t === 'null') &&
    (types.includes('number') || types.includes('integer')) &&
    keys.every((k) => NUMERIC_KEYWORDS.has(k)) &&
    BOUNDS.every((k) => {
      const bound = (schema as Record<string, unknown>)[k];
      return bound === undefined || (typeof bound === 'number' && !Number.isNaN(bound));
    })
  );
}
