import { requiredNotNull } from '@housing/model-card/row-schema';
import type { ModelCard } from '@housing/model-card/schema';
import { MAX_DETAILS } from './http/errors.ts';
import { typicalRow } from './model/card-serves-graph.ts';
import type { Row } from './model/row.ts';
import { UNBOUNDED_ACTUAL_LIMIT } from './routes/feedback.ts';

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
                required: ['prediction', 'prediction_id', 'model_version', 'request_id'],
                properties: {
                  prediction: { type: 'number' },
                  prediction_id: {
                    type: 'string',
                    format: 'uuid',
                    description: "This prediction's id, for POST /v1/feedback",
                  },
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
                required: ['predictions', 'prediction_ids', 'model_version', 'request_id'],
                properties: {
                  predictions: { type: 'array', items: { type: 'number' } },
                  prediction_ids: {
                    type: 'array',
                    items: { type: 'string', format: 'uuid' },
                    description: 'One id per prediction, in the same order, for POST /v1/feedback',
                  },
                  model_version: { type: 'string' },
                  request_id: { type: 'string' },
                },
              }),
            },
            ...errors,
          },
        },
      },
      '/v1/feedback': feedbackPath(card, maxBatchRows, errorResponse),
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
    components: {
      schemas: { Row: row, Error: error },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}

/**
 * POST /v1/feedback: ground truth for one prediction or a batch. `actual`
 * carries the card's target contract (its bounds) when the card has one.
 */
function feedbackPath(
  card: ModelCard | undefined,
  maxItems: number,
  errorResponse: (description: string) => unknown,
): Record<string, unknown> {
  const actual = { type: 'number', ...targetBounds(card) };
  const item = {
    type: 'object',
    required: ['id', 'actual'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', description: 'a prediction_id (or one of prediction_ids)' },
      actual,
    },
  };
  const result = {
    type: 'object',
    required: ['id', 'status', 'result'],
    properties: {
      id: { type: 'string' },
      status: { enum: [200, 404, 409] },
      result: { enum: ['recorded', 'duplicate', 'unknown', 'conflict'] },
      message: { type: 'string' },
    },
  };
  return {
    post: {
      summary: 'Ground truth for predictions (bearer FEEDBACK_TOKEN)',
      description:
        'Records the true value of a prediction once. The same value again is 200 (`duplicate`, counted once); another value is 409. An unknown id is 404: predictions are written in batches, so feedback sent right after its prediction may arrive before it is written; retry later. A batch with any invalid item is refused whole (400); a valid batch answers 200 with one result per item, in order.',
      operationId: 'feedback',
      security: [{ bearer: [] }],
      requestBody: {
        required: true,
        content: json({
          oneOf: [
            item,
            {
              type: 'object',
              required: ['items'],
              additionalProperties: false,
              properties: { items: { type: 'array', minItems: 1, maxItems, items: item } },
            },
          ],
        }),
      },
      responses: {
        '200': {
          description:
            'Recorded (or already recorded with the same value); a batch: one result per item',
          content: json({
            oneOf: [
              {
                type: 'object',
                required: ['id', 'result', 'request_id'],
                properties: {
                  id: { type: 'string' },
                  result: { enum: ['recorded', 'duplicate'] },
                  request_id: { type: 'string' },
                },
              },
              {
                type: 'object',
                required: ['results', 'request_id'],
                properties: {
                  results: { type: 'array', items: result },
                  request_id: { type: 'string' },
                },
              },
            ],
          }),
        },
        '400': errorResponse(
          'Not {id, actual} or {items}, or actual out of bounds (JSON Pointers)',
        ),
        '401': errorResponse('No valid bearer token'),
        '404': errorResponse(
          'No prediction with this id (yet), or feedback disabled (no FEEDBACK_TOKEN)',
        ),
        '409': errorResponse('The prediction already has another actual value'),
        '503': errorResponse(
          'The prediction log is off (PREDICTION_LOG=off) or its store is unavailable',
        ),
      },
    },
  };
}

/** The bounds of the card's target contract, as JSON Schema keywords (the route's own without one). */
function targetBounds(card: ModelCard | undefined): Record<string, number> {
  const contract = card?.target_contract;
  if (!contract) return { minimum: -UNBOUNDED_ACTUAL_LIMIT, maximum: UNBOUNDED_ACTUAL_LIMIT };
  const bounds: Record<string, number> = {};
  for (const key of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const) {
    const value = (contract as Record<string, unknown>)[key];
    if (typeof value === 'number') bounds[key] = value;
  }
  return bounds;
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
