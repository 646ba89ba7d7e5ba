import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ModelCard } from '@housing/pipeline/card';
import { admitsNull, typesOf } from '@housing/pipeline/contract';
import type { ColumnProfile } from '@housing/pipeline/profile';
import { ConfigurationError } from '@housing/core/errors';

/** The most problems one rejection lists: a card of the wrong kind stays a readable message. */
const MAX_PROBLEMS = 10;

const number = { type: 'number' };
const numbers = { type: 'array', items: number };
const text = { type: 'string', minLength: 1 };

/**
 * JSON Schema of every card field the service reads, at load or after the
 * swap (metrics, drift monitor, warm-up, /v1/model, OpenAPI). Fields it never
 * reads (params, training, created_at) may change without the service caring.
 */
const CARD_SCHEMA = {
  type: 'object',
  required: [
    'schema_version',
    'model_version',
    'model_type',
    'git_sha',
    'data',
    'metrics',
    'input_contract',
    'onnx',
    'target',
    'reference_profile',
  ],
  properties: {
    schema_version: { const: 1 },
    model_version: text,
    model_type: { enum: ['linear', 'gbdt'] },
    git_sha: { type: 'string' },
    data: { type: 'object', required: ['md5'], properties: { md5: { type: 'string' } } },
    metrics: {
      type: 'object',
      required: ['rmse', 'mae', 'r2'],
      properties: { rmse: number, mae: number, r2: number },
    },
    // What the service itself reads of it (check-row.ts, openapi.ts); ajv compiles the rest.
    input_contract: {
      type: 'object',
      required: ['type', 'properties', 'required'],
      properties: {
        type: { const: 'object' },
        properties: {
          type: 'object',
          additionalProperties: { anyOf: [{ type: 'object' }, { type: 'boolean' }] },
        },
        required: { type: 'array', items: { type: 'string' } },
      },
    },
    onnx: {
      type: 'object',
      required: ['sha256', 'inputs', 'output'],
      properties: {
        sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        inputs: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['name', 'type'],
            properties: { name: text, type: { enum: ['float', 'string'] } },
          },
        },
        output: text,
      },
    },
    target: text,
    reference_profile: {
      type: 'object',
      required: ['columns'],
      properties: {
        columns: { type: 'object', additionalProperties: { $ref: '#/$defs/profile' } },
      },
    },
  },
  $defs: {
    profile: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { enum: ['numeric', 'categorical'] } },
      allOf: [
        {
          if: { type: 'object', properties: { kind: { const: 'numeric' } } },
          then: {
            type: 'object',
            required: ['edges', 'shares', 'quantiles'],
            properties: {
              edges: numbers,
              shares: numbers,
              quantiles: { type: 'object', required: ['0.5'], additionalProperties: number },
            },
          },
        },
        {
          if: { type: 'object', properties: { kind: { const: 'categorical' } } },
          then: {
            type: 'object',
            required: ['categories', 'shares'],
            properties: {
              categories: { type: 'array', minItems: 1, items: { type: 'string' } },
              shares: numbers,
            },
          },
        },
      ],
    },
  },
};

const validateShape = new Ajv2020({ allErrors: true }).compile(CARD_SCHEMA);

/**
 * Checks a parsed card before anything is built from it: its shape against
 * {@link CARD_SCHEMA}, then what a schema cannot say (bins and shares that
 * agree, a numeric profile of the target). Throws a ConfigurationError at
 * `cardPath` that names each problem by JSON Pointer (`/metrics/rmse must be
 * number`), so nothing after the swap can fail on a field it reads.
 * {@link checkInputProfiles} completes it once the graph has confirmed the inputs.
 */
export function checkCardShape(value: unknown, cardPath: string): ModelCard {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigurationError('the model card must be a JSON object', cardPath);
  if (!validateShape(value)) {
    const errors = (validateShape.errors ?? []).filter((e) => e.keyword !== 'if').map(describe);
    rejectCard(errors.length > 0 ? errors : ['(the card) does not match its schema'], cardPath);
  }
  const card = value as unknown as ModelCard;
  const columns = card.reference_profile.columns;
  const problems = Object.entries(columns).flatMap(([name, profile]) =>
    profileProblems(profile, profilePath(name)),
  );
  // The prediction histogram's buckets and the target quantiles come from the target's profile.
  problems.push(...kindProblems(columns, card.target, 'numeric'));
  rejectCard(problems, cardPath);
  return card;
}

/**
 * Every input of the graph needs a reference profile of its kind: the warm-up
 * row takes its median (or top category), the drift monitor bins against it.
 * Checked after the card's inputs have been compared with the graph's, so a
 * renamed input is reported as the contradiction it is.
 */
export function checkInputProfiles(card: ModelCard, cardPath: string): void {
  rejectCard(
    card.onnx.inputs.flatMap(({ name, type }) =>
      kindProblems(
        card.reference_profile.columns,
        name,
        type === 'float' ? 'numeric' : 'categorical',
      ),
    ),
    cardPath,
  );
}

/**
 * The card's input contract must admit what its graph reads: every input a
 * property of its type, required or admitting null (an absent key is then
 * imputed), and `typical` (the reference medians and most common category,
 * what the warm-up predicted) a valid row. Otherwise the service would
 * validate requests against one thing and predict another: reject every valid
 * row, or predict rows without a feature from NaN.
 */
export function checkContractServesGraph(
  card: ModelCard,
  validateRow: ValidateFunction,
  typical: Record<string, unknown>,
  cardPath: string,
): void {
  const { properties, required } = card.input_contract;
  const problems: string[] = [];
  for (const { name, type } of card.onnx.inputs) {
    const path = `/input_contract/properties/${escapePointer(name)}`;
    const schema = Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (typeof schema !== 'object' || schema === null) {
      problems.push(`${path} must be an object schema: the graph reads '${name}'`);
      continue;
    }
    const wanted = type === 'float' ? ['number', 'integer'] : ['string'];
    if (!typesOf(schema).some((t) => wanted.includes(t)))
      problems.push(`${path}/type must include "${wanted[0]}": the graph's input is ${type}`);
    if (!required.includes(name) && !admitsNull(schema))
      problems.push(
        `/input_contract/required must list '${name}', or its type admit null: the graph reads it`,
      );
  }
  if (problems.length === 0 && !validateRow({ ...typical })) {
    const first = validateRow.errors?.[0];
    problems.push(
      `/input_contract rejects the card's own typical row (reference medians): ${first ? describe(first) : 'invalid'}`,
    );
  }
  rejectCard(problems, cardPath);
}

/** Throws the card's problems, the first few of them, as one message; returns if there are none. */
function rejectCard(problems: string[], cardPath: string): void {
  if (problems.length === 0) return;
  const listed = problems.slice(0, MAX_PROBLEMS);
  const more = problems.length - listed.length;
  throw new ConfigurationError(
    `the model card is malformed: ${listed.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`,
    cardPath,
  );
}

/** One ajv error as `<JSON Pointer> <what is wrong>`, a missing field named by its own path. */
function describe(e: ErrorObject): string {
  if (e.keyword === 'required')
    return `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty} is required`;
  const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
  const message = allowed
    ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
    : (e.message ?? e.keyword);
  return `${e.instancePath || '(the card)'} ${message}`;
}

const profilePath = (name: string) => `/reference_profile/columns/${escapePointer(name)}`;

/** The column's profile must exist and be of `kind`. */
function kindProblems(
  columns: Record<string, ColumnProfile>,
  name: string,
  kind: ColumnProfile['kind'],
): string[] {
  const profile = Object.hasOwn(columns, name) ? columns[name] : undefined;
  if (!profile)
    return [`${profilePath(name)} is required: the service reads a profile of '${name}'`];
  return profile.kind === kind ? [] : [`${profilePath(name)}/kind must be "${kind}"`];
}

function profileProblems(profile: ColumnProfile, path: string): string[] {
  const problems: string[] = [];
  if (profile.kind === 'numeric') {
    if (profile.edges.some((edge, i) => i > 0 && !(edge > profile.edges[i - 1]!)))
      problems.push(`${path}/edges must increase strictly`);
    if (profile.shares.length !== profile.edges.length + 1)
      problems.push(
        `${path}/shares must have one share per bin (${profile.edges.length + 1}), not ${profile.shares.length}`,
      );
  } else if (profile.shares.length !== profile.categories.length) {
    problems.push(
      `${path}/shares must have one share per category (${profile.categories.length}), not ${profile.shares.length}`,
    );
  }
  return problems;
}

/** A name as one JSON Pointer segment (RFC 6901). */
function escapePointer(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}
