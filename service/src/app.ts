import type { RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import swaggerUi from 'swagger-ui-dist';
import { HttpError, sendError } from './http/errors.ts';
import { assignRequestId, instrumentRequest } from './http/instrument.ts';
import { openApiDocument } from './openapi.ts';
import type { AppDeps } from './deps.ts';

import { requireBearer } from './http/bearer.ts';
import { createFeedbackRoute } from './routes/feedback.ts';
import { createPredictRoutes } from './routes/predict.ts';
import { errorMessage } from '@housing/core/errors';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

/**
 * Builds the service's request listener; it never listens. The prediction
 * routes run on a lean node:http path (routes/predict.ts), everything else on
 * Express. Both share request ids, metrics, logs and the error format.
 */
export function createApp(deps: AppDeps): RequestListener {
  const predictRoutes = createPredictRoutes(deps);
  const app = createExpressApp(deps);
  return (req, res) => {
    if (!predictRoutes(req, res)) app(req, res);
  };
}

/** The Express app for every route but the prediction ones. */
function createExpressApp(deps: AppDeps): express.Express {
  const { config, holder, metrics, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    req.id = assignRequestId(req, res);
    // Label by the matched route template, never the raw URL: unmatched paths share one label.
    instrumentRequest(deps, req, res, req.id, () =>
      req.route
        ? `${req.baseUrl}${String((req.route as { path: string }).path)}`
        : ((res.locals.route as string | undefined) ?? 'unmatched'),
    );
    next();
  });

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
  // Only the files the page above loads. swagger-ui-dist also ships its own
  // index.html and initializer (which fetch the petstore example from the
  // internet), its package.json, README, source maps and other bundles.
  const swaggerDir = swaggerUi.getAbsoluteFSPath();
  const docsAssets = new Set<string>(Object.values(DOCS_ASSETS));
  app.use('/docs', (req, res, next) => {
    const asset = req.path.slice(1);
    if (!docsAssets.has(asset)) return next(); // a plain 404 below
    res.locals.route = '/docs/*';
    res.sendFile(asset, { root: swaggerDir }, (error) => {
      // After the headers, the error is the client leaving mid-file (counted as 499), not ours.
      if (error && !res.headersSent) next(error);
    });
  });

  app.post('/admin/reload', async (req, res, next) => {
    try {
      requireBearer(req, res, config.adminToken, 'model reload', 'ADMIN_TOKEN');
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

  app.post('/v1/feedback', createFeedbackRoute(deps));

  app.use((req, _res, next) => {
    next(new HttpError(404, `no route for ${req.method} ${req.path}`));
  });

  // The one error handler: every failure becomes JSON with a request id, never a stack trace.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    sendError(res, error, req.id, logger);
  });
  return app;
}

/** The swagger-ui-dist files the docs page loads: the only ones served. */
const DOCS_ASSETS = { css: 'swagger-ui.css', js: 'swagger-ui-bundle.js' } as const;

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>California Housing model service</title>
  <link rel="stylesheet" href="${DOCS_ASSETS.css}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_ASSETS.js}"></script>
  <script src="initializer.js"></script>
</body>
</html>
`;

const DOCS_INITIALIZER = `window.onload = () => {
  window.ui = SwaggerUIBundle({ url: '../openapi.json', dom_id: '#swagger-ui' });
};
`;
