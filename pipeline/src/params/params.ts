import { Ajv2020 } from 'ajv/dist/2020.js';
import { LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import type { DriftThresholds } from '@housing/model-card/drift';
import type { GbdtParams } from '../models/gbdt/gbdt.ts';
import type { LinearParams } from '../models/linear.ts';
import { ConfigurationError, formatLocation, type Problem } from '@housing/core/errors';
import { readTextFile } from '@housing/core/read-text';

/** How one metric is gated against the baseline and an absolute limit. */
export interface MetricGate {
  better: 'lower' | 'higher';
  tolerance_relative?: number;
  tolerance_absolute?: number;
  /** A ceiling (lower is better) or floor (higher is better), whatever the baseline. */
  limit?: number;
}

/** Everything in params.yaml, typed. */
export interface Params {
  seed: number;
  data: { path: string; contract: string };
  split: { test_size: number; validation_size: number };
  validate: { reference: string; drift: DriftThresholds; profile_bins: number };
  linear: LinearParams;
  gbdt: GbdtParams;
  gate: { baseline: string; metrics: Record<string, MetricGate> };
}

const positive = { type: 'number', exclusiveMinimum: 0 };
const share = { type: 'number', minimum: 0, maximum: 1 };
const nonNegative = { type: 'number', minimum: 0 };
const count = { type: 'integer', minimum: 1 };
const section = (properties: Record<string, unknown>) => ({
  type: 'object',
  required: Object.keys(properties),
  additionalProperties: false,
  properties,
});

/** `seed`: the split's generator keeps 32 bits, so a larger seed would split as another one. */
export const SEED_SCHEMA = { type: 'integer', minimum: 0, maximum: 0xffffffff };
/** `split.test_size`: a share of the rows, below 1 so that some are left to train on. */
export const TEST_SIZE_SCHEMA = { type: 'number', minimum: 0, exclusiveMaximum: 1 };

/** The JSON Schema of params.yaml; `npm run lint` and every stage check it. */
export const PARAMS_SCHEMA = section({
  seed: SEED_SCHEMA,
  data: section({ path: { type: 'string' }, contract: { type: 'string' } }),
  split: section({
    test_size: TEST_SIZE_SCHEMA,
    validation_size: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
  }),
  validate: section({
    reference: { type: 'string' },
    drift: section({
      psi_warn: positive,
      psi_fail: positive,
      category_shift_warn: share,
      category_shift_fail: share,
    }),
    profile_bins: { type: 'integer', minimum: 2, maximum: 100 },
  }),
  linear: section({ l2: nonNegative }),
  gbdt: section({
    learning_rate: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    max_rounds: count,
    max_leaves: { type: 'integer', minimum: 2 },
    max_depth: { type: 'integer', minimum: 0 },
    min_samples_leaf: count,
    l2: nonNegative,
    max_bins: { type: 'integer', minimum: 2, maximum: 255 },
    early_stopping_rounds: count,
    min_gain: nonNegative,
  }),
  gate: section({
    baseline: { type: 'string' },
    metrics: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        required: ['better'],
        additionalProperties: false,
        properties: {
          better: { enum: ['lower', 'higher'] },
          tolerance_relative: nonNegative,
          tolerance_absolute: nonNegative,
          limit: { type: 'number' },
        },
      },
    },
  }),
});

const ajv = new Ajv2020({ allErrors: true });
const validateParams = ajv.compile(PARAMS_SCHEMA);

/**
 * A command-line override of one params.yaml value, checked against the same
 * schema (`schema` is its part of {@link PARAMS_SCHEMA}); the error names the flag.
 */
export function checkParamFlag(value: number, schema: object, flag: string): number {
  const check = ajv.compile(schema);
  const given = String(value);
  if (check(value)) return value;
  const problems = (check.errors ?? []).map((e) => e.message ?? e.keyword).join(', ');
  throw new ConfigurationError(
    `--${flag} must be as params.yaml allows (${problems}); got ${given}`,
  );
}

/** Reads and checks params.yaml; every problem names its file:line and key path. */
export async function loadParams(file = 'params.yaml'): Promise<Params> {
  const text = await readTextFile(file, { what: 'pipeline parameters' });
  return parseParams(text, file);
}

/** Parses params.yaml text against {@link PARAMS_SCHEMA}. */
export function parseParams(text: string, file: string): Params {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConfigurationError(`invalid YAML: ${e.message.split('\n')[0]}`, {
      file,
      line: e.linePos?.[0].line ?? 1,
    });
  }
  const value = toPlainValue(doc, lineCounter, file);
  if (validateParams(value)) {
    const params = value as unknown as Params;
    const d = params.validate.drift;
    if (d.psi_warn > d.psi_fail || d.category_shift_warn > d.category_shift_fail) {
      throw new ConfigurationError(
        'validate.drift: each *_warn threshold must not exceed its *_fail',
        { file },
      );
    }
    return params;
  }
  const problems = (validateParams.errors ?? []).map((e): Problem => {
    const path = e.instancePath.split('/').slice(1);
    const node = doc.getIn(path, true) as YamlNode | undefined;
    const offset = node?.range?.[0];
    const keys = [
      ...path,
      ...(e.keyword === 'required'
        ? [(e.params as { missingProperty: string }).missingProperty]
        : []),
    ];
    const key = keys.join('.');
    const extra =
      e.keyword === 'additionalProperties'
        ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
        : '';
    return {
      message: `${key || '(root)'} ${e.keyword === 'required' ? 'is required' : `${e.message}${extra}`}`,
      file,
      ...(offset === undefined ? {} : { line: lineCounter.linePos(offset).line }),
      path: keys.map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''),
    };
  });
  // One line per problem, at its file:line.
  const messages = problems.map(
    (p) => `${formatLocation({ file: p.file, line: p.line })}: ${p.message}`,
  );
  throw new ConfigurationError(
    `invalid parameters:\n  ${messages.join('\n  ')}`,
    undefined,
    problems,
  );
}

/**
 * The document as plain values. Expanding aliases is where `yaml` throws (an
 * alias to no anchor, or more expansion than its maxAliasCount allows: a
 * "billion laughs" file); either is the file's fault, so it is reported at
 * the offending alias's line instead of as an internal error.
 */
function toPlainValue(doc: Document, lineCounter: LineCounter, file: string): unknown {
  try {
    return doc.toJS();
  } catch (error) {
    let unresolved: { source: string; offset: number } | undefined;
    let first: number | undefined;
    visit(doc, {
      Alias(_key, alias) {
        const offset = alias.range?.[0] ?? 0;
        first ??= offset;
        if (alias.resolve(doc) === undefined) {
          unresolved = { source: alias.source, offset };
          return visit.BREAK;
        }
        return undefined;
      },
    });
    const at = (offset: number | undefined) => ({
      file,
      line: lineCounter.linePos(offset ?? 0).line,
    });
    if (unresolved)
      throw new ConfigurationError(
        `alias *${unresolved.source} names no anchor set before it`,
        at(unresolved.offset),
      );
    throw new ConfigurationError(
      `aliases expand to too many values (${error instanceof Error ? error.message : 'YAML error'}); the first alias is here`,
      at(first),
    );
  }
}
