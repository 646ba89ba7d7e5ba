import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ErrorObject } from 'ajv';
import type { Logger as Pino } from 'pino';
import swaggerUi from 'swagger-ui-dist';
import type { ServiceConfig } from './config.ts';
import type { DriftMonitor } from './drift-monitor.ts';
import type { ServiceMetrics } from './metrics.ts';
import type { LoadedModel, Row } from './model/load-model.ts';
import type { ModelHolder } from './model/model-holder.ts';
import { openApiDocument } from './openapi.ts';
import { errorMessage } from '../../pipeline/src/util/errors.ts';

/** What the app needs; `createApp` builds routes on them and never listens. */
export interface AppDeps {
  config: ServiceConfig;
  holder: ModelHolder;
  metrics: ServiceMetrics;
  logger: Pino;
  /** The drift monitor of the current model, if any. */
  drift: () => DriftMonitor | undefined;
  /** True once shutdown has begun: readiness turns false. */
  shuttingDown: () => boolean;
}

/** An error with an HTTP status and, for validation, per-field details. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

const REQUEST_ID = /^[\w.-]{1,128}$/;

/** Builds the Express app. */
export function createApp(deps: AppDeps): express.Express {
  const { config, holder, metrics, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // Request id, in-flight gauge, latency by route template, one log line per request.
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', req.id);
    if (!config.instrumentation) return next();
    const started = process.hrtime.bigint();
    metrics.httpInFlight.inc();
    res.once('close', () => {
      metrics.httpInFlight.dec();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // Label by the matched route template, never the raw URL: unmatched paths share one label.
      const route = req.route
        ? `${req.baseUrl}${String((req.route as { path: string }).path)}`
        : ((res.locals.route as string | undefined) ?? 'unmatched');
      metrics.httpDuration.observe(
        { method: req.method, route, status_code: String(res.statusCode) },
        seconds,
      );
      if (route !== '/metrics' && route !== '/healthz' && route !== '/readyz') {
        logger.info(
          {
            req_id: req.id,
            method: req.method,
            route,
            status: res.statusCode,
            ms: Math.round(seconds * 1e4) / 10,
          },
          'request',
        );
      }
    });
    next();
  });

  const json = express.json({ limit: config.bodyLimitBytes, strict: false });
  const requireJson = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.is('application/json')) {
      next(
        new HttpError(
          415,
          `Content-Type must be application/json, got ${req.get('content-type') ?? 'none'}`,
        ),
      );
    } else next();
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res) => {
    const model = holder.current;
    const ready = model !== undefined && !deps.shuttingDown();
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      model_version: model?.version ?? null,
      ...(deps.shuttingDown()
        ? { reason: 'shutting down' }
        : model
          ? {}
          : { reason: 'no model loaded' }),
    });
  });

  app.get('/v1/model', (_req, res, next) => {
    const model = holder.current;
    if (!model) return next(new HttpError(503, 'no model loaded'));
    const { reference_profile: _profile, ...card } = model.card;
    res.json(card);
  });

  app.post('/v1/predict', requireJson, json, async (req, res, next) => {
    try {
      const model = currentModel(holder);
      const row = req.body as unknown;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        throw new HttpError(
          400,
          'the body must be one JSON object of features; send batches to /v1/predict/batch',
          [{ path: '', message: 'must be object' }],
        );
      }
      checkRow(model, row as Row, '');
      const [prediction] = await predict(deps, model, [row as Row]);
      res.json({ prediction, model_version: model.version, request_id: req.id });
    } catch (error) {
      next(error);
    }
  });

  app.post('/v1/predict/batch', requireJson, json, async (req, res, next) => {
    try {
      const model = currentModel(holder);
      const body = req.body as { instances?: unknown } | null;
      const instances =
        typeof body === 'object' && body !== null && !Array.isArray(body)
          ? body.instances
          : undefined;
      if (!Array.isArray(instances)) {
        throw new HttpError(400, 'the body must be {"instances": [rows]}', [
          { path: '/instances', message: 'must be array' },
        ]);
      }
      if (instances.length === 0)
        throw new HttpError(400, 'the batch is empty', [
          { path: '/instances', message: 'must NOT have fewer than 1 items' },
        ]);
      if (instances.length > config.maxBatchRows) {
        throw new HttpError(
          400,
          `the batch has ${instances.length} rows; the limit is ${config.maxBatchRows}`,
          [{ path: '/instances', message: `must NOT have more than ${config.maxBatchRows} items` }],
        );
      }
      const details: { path: string; message: string }[] = [];
      instances.forEach((row: unknown, i) => {
        if (typeof row !== 'object' || row === null || Array.isArray(row))
          details.push({ path: `/instances/${i}`, message: 'must be object' });
        else if (!model.validateRow(row))
          details.push(...describe(model.validateRow.errors, `/instances/${i}`));
      });
      if (details.length > 0)
        throw new HttpError(400, 'the body breaks the input contract', details.slice(0, 100));
      const predictions = await predict(deps, model, instances as Row[]);
      res.json({
        predictions: Array.from(predictions),
        model_version: model.version,
        request_id: req.id,
      });
    } catch (error) {
      next(error);
    }
  });

  app.get('/metrics', async (_req, res, next) => {
    try {
      res.setHeader('content-type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
    } catch (error) {
      next(error);
    }
  });

  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(holder.current?.card, config.maxBatchRows));
  });
  app.get('/docs', (req, res, next) => {
    if (!req.originalUrl.endsWith('/') && !req.originalUrl.includes('?'))
      return res.redirect(301, '/docs/');
    next();
  });
  app.get('/docs/', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  app.get('/docs/initializer.js', (_req, res) => {
    res.type('application/javascript').send(DOCS_INITIALIZER);
  });
  app.use(
    '/docs',
    (_req, res, next) => {
      res.locals.route = '/docs/*';
      next();
    },
    express.static(swaggerUi.getAbsoluteFSPath(), { index: false }),
    (_req, res, next) => {
      res.locals.route = undefined; // not a Swagger UI file: a plain 404
      next();
    },
  );

  app.post('/admin/reload', async (req, res, next) => {
    try {
      if (config.adminToken === undefined)
        throw new HttpError(
          404,
          'model reload over HTTP is disabled: set ADMIN_TOKEN to enable it',
        );
      if (!bearerMatches(req.get('authorization'), config.adminToken)) {
        res.setHeader('www-authenticate', 'Bearer');
        throw new HttpError(401, 'a valid bearer token is required');
      }
      const result = await holder.reload();
      if (!result.ok) {
        throw new HttpError(
          409,
          `reload rejected, still serving ${holder.current?.version ?? 'no model'}: ${errorMessage(result.error)}`,
        );
      }
      res.json({
        model_version: result.model.version,
        previous: result.previous ?? null,
        request_id: req.id,
      });
    } catch (error) {
      next(error);
    }
  });

  app.use((req, _res, next) => {
    next(new HttpError(404, `no route for ${req.method} ${req.path}`));
  });

  // The one error handler: every failure becomes JSON with a request id, never a stack trace.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, message, details } = toHttpError(error);
    if (status >= 500) logger.error({ req_id: req.id, err: error }, 'request failed');
    if (res.headersSent) return res.end();
    res
      .status(status)
      .json({ error: message, request_id: req.id, ...(details ? { details } : {}) });
  });
  return app;
}

function currentModel(holder: ModelHolder): LoadedModel {
  const model = holder.current;
  if (!model) throw new HttpError(503, 'no model loaded yet');
  return model;
}

function checkRow(model: LoadedModel, row: Row, prefix: string): void {
  if (!model.validateRow(row))
    throw new HttpError(
      400,
      'the body breaks the input contract',
      describe(model.validateRow.errors, prefix),
    );
}

/** Rewrites ajv errors as {path, message}, with the path of a missing property itself. */
function describe(
  errors: ErrorObject[] | null | undefined,
  prefix: string,
): { path: string; message: string }[] {
  return (errors ?? []).map((e) => {
    if (e.keyword === 'required') {
      return {
        path: `${prefix}/${(e.params as { missingProperty: string }).missingProperty}`,
        message: 'is required',
      };
    }
    if (e.keyword === 'additionalProperties') {
      return {
        path: `${prefix}/${(e.params as { additionalProperty: string }).additionalProperty}`,
        message: 'is not a known feature',
      };
    }
    if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues
        .map((v) => JSON.stringify(v))
        .join(', ');
      return { path: `${prefix}${e.instancePath}`, message: `must be one of ${allowed}` };
    }
    return { path: `${prefix}${e.instancePath}`, message: e.message ?? e.keyword };
  });
}

async function predict(deps: AppDeps, model: LoadedModel, rows: Row[]): Promise<Float32Array> {
  const { metrics } = deps;
  const started = process.hrtime.bigint();
  const predictions = await model.predict(rows);
  if (!deps.config.instrumentation) return predictions;
  metrics.inferenceDuration.observe(
    { model_version: model.version },
    Number(process.hrtime.bigint() - started) / 1e9,
  );
  metrics.predictions.inc({ model_version: model.version }, rows.length);
  metrics.inputRows.observe(rows.length);
  for (const p of predictions) metrics.predictionValue.observe({ model_version: model.version }, p);
  deps.drift()?.observe(rows);
  return predictions;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  // Hash both sides so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && presented.length > 0;
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const e = error as { type?: string; status?: number; message?: string; limit?: number };
  if (e?.type === 'entity.parse.failed')
    return new HttpError(400, `malformed JSON: ${e.message ?? 'cannot parse the body'}`);
  if (e?.type === 'entity.too.large')
    return new HttpError(413, `the body is larger than the limit of ${e.limit} bytes`);
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new HttpError(415, e.message ?? 'unsupported encoding');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return new HttpError(e.status, e.message ?? 'bad request');
  return new HttpError(500, 'internal error');
}

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>California Housing model service</title>
  <link rel="stylesheet" href="swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="swagger-ui-bundle.js"></script>
  <script src="initializer.js"></script>
</body>
</html>
`;

const DOCS_INITIALIZER = `window.onload = () => {
  window.ui = SwaggerUIBundle({ url: '../openapi.json', dom_id: '#swagger-ui' });
};
`;
