import { requiredNotNull } from '@housing/model-card/row-schema';
import type { ModelCard } from '@housing/model-card/schema';
import { MAX_DETAILS } from './http/errors.ts';
import { typicalRow } from './model/card-serves-graph.ts';
import type { Row } from './model/row.ts';

/**
 * The OpenAPI 3.1 document, generated from the model card's input contract:
 * the same JSON Schema that validates requests describes them.
 */
export function openApiDocument(
  card: ModelCard | undefined,
  maxBatchRows: number,
): Record<string, unknown> {
  // The reference profile's medians (and most common category): a row the model has seen
  // the like of, where Swagger UI would otherwise make one up from each column's bounds.
  const example = card ? typicalRow(card) : undefined;
  const row = card && example ? rowSchema(card, example) : { type: 'object' };
  const error = {
    type: 'object',
    required: ['error', 'request_id'],
    properties: {
      error: { type: 'string' },
      request_id: { type: 'string' },
      details: {
        type: 'array',
        items: {
          type: 'object',
          properties: { path: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  };
  const errorResponse = (description: string) => ({
    description,
    content: json({ $ref: '#/components/schemas/Error' }),
  });
  const errors = {
    '400': errorResponse(
      `Malformed JSON, or a body that breaks the input contract (at most ${MAX_DETAILS} details)`,
    ),
    '413': errorResponse('Body larger than the limit'),
    '415': errorResponse('Content-Type is not application/json'),
    '503': errorResponse('No model loaded yet'),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'California Housing model service',
      version: card?.model_version ?? 'no model loaded',
      description:
        "Predicts a block group's median house value (US dollars) from its raw features.",
    },
    paths: {
      '/v1/predict': {
        post: {
          summary: 'Predict one row',
          operationId: 'predict',
          requestBody: {
            required: true,
            content: json({ $ref: '#/components/schemas/Row' }, example),
          },
          responses: {
            '200': {
              description: 'The prediction',
              content: json({
                type: 'object',
                required: ['prediction', 'model_version', 'request_id'],
                properties: {
                  prediction: { type: 'number' },
                  model_version: { type: 'string' },
                  request_id: { type: 'string' },
                },
              }),
            },
            ...errors,
          },
        },
      },
      '/v1/predict/batch': {
        post: {
          summary: `Predict up to ${maxBatchRows} rows, in order`,
          operationId: 'predictBatch',
          requestBody: {
            required: true,
            content: json(
              {
                type: 'object',
                required: ['instances'],
                additionalProperties: false,
                properties: {
                  instances: {
                    type: 'array',
                    minItems: 1,
                    maxItems: maxBatchRows,
                    items: { $ref: '#/components/schemas/Row' },
                  },
                },
              },
              example && { instances: [example] },
            ),
          },
          responses: {
            '200': {
              description: 'The predictions, in the order of the instances',
              content: json({
                type: 'object',
                required: ['predictions', 'model_version', 'request_id'],
                properties: {
                  predictions: { type: 'array', items: { type: 'number' } },
                  model_version: { type: 'string' },
                  request_id: { type: 'string' },
                },
              }),
            },
            ...errors,
          },
        },
      },
      '/v1/model': {
        get: {
          summary: "The model's card, without its reference profile",
          responses: { '200': { description: 'The card' } },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'Alive' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: a model is loaded and warmed',
          responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'Text exposition format' } },
        },
      },
    },
    components: { schemas: { Row: row, Error: error } },
  };
}

function json(schema: unknown, example?: unknown) {
  return { 'application/json': { schema, ...(example === undefined ? {} : { example }) } };
}

/**
 * The card's input contract as the service applies it: a column that admits
 * null may be left out (routes/check-row.ts), whatever the card's `required`
 * says (cards before this rule listed every column).
 */
function rowSchema(card: ModelCard, example: Row): Record<string, unknown> {
  const { $schema: _schema, ...row } = card.input_contract;
  return { ...row, required: requiredNotNull(row), examples: [example] };
}
