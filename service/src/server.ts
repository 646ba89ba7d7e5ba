import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger as Pino } from 'pino';
import { createApp } from './app.ts';
import type { ServiceConfig } from './config.ts';
import { DriftMonitor } from './drift-monitor.ts';
import { createMetrics, publishModel, type ServiceMetrics } from './metrics.ts';
import { ModelHolder, type ReloadResult } from './model/model-holder.ts';
import { errorMessage } from '../../pipeline/src/util/errors.ts';

/** A running service. */
export interface RunningService {
  url: string;
  port: number;
  server: Server;
  holder: ModelHolder;
  metrics: ServiceMetrics;
  logger: Pino;
  /** Reloads the model from its folder (what SIGHUP and /admin/reload do). */
  reload(): Promise<ReloadResult>;
  /** Marks the service unready, stops accepting connections, drains in-flight requests, then resolves. */
  close(): Promise<void>;
}

/**
 * Loads the model and starts listening. A model that cannot be loaded does
 * not stop the server: it starts unready (503 on /readyz and predictions)
 * and a later reload can fix it.
 */
export async function start(
  config: ServiceConfig,
  logger: Pino = pino({ level: config.logLevel }),
): Promise<RunningService> {
  const metrics = createMetrics();
  let drift: DriftMonitor | undefined;
  let shuttingDown = false;
  const holder = new ModelHolder(config.modelDir, {
    onSwap(model) {
      publishModel(metrics, model.card, model.loadedAt);
      drift?.stop();
      drift = new DriftMonitor(model.card, metrics, config.driftWindowRows);
      drift.start(config.driftIntervalMs);
    },
    onResult(result) {
      metrics.reloads.inc({ result: result.ok ? 'success' : 'failure' });
      if (result.ok)
        logger.info(
          { model_version: result.model.version, previous: result.previous },
          'model loaded',
        );
      else
        logger.error(
          { err: errorMessage(result.error), serving: holder.current?.version ?? null },
          'model load rejected',
        );
    },
  });
  const reload = () => holder.reload();
  await reload();
  if (!holder.current) metrics.modelLoaded.set(0);

  const app = createApp({
    config,
    holder,
    metrics,
    logger,
    drift: () => drift,
    shuttingDown: () => shuttingDown,
  });
  const server = createServer(app);
  let inFlight = 0;
  let drained: (() => void) | undefined;
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  logger.info({ port, model_version: holder.current?.version ?? null }, 'listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      drift?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets with no request in flight are closed now; busy ones after their response.
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const allDone =
        inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs)),
      );
      if ((await Promise.race([allDone, timedOut])) === 'timeout') {
        logger.warn({ in_flight: inFlight }, 'shutdown timeout: closing the remaining connections');
        server.closeAllConnections();
      }
      clearTimeout(timer);
      clearInterval(idle);
      server.closeAllConnections();
      await closed;
      logger.info('stopped');
    })());
  return { url: `http://${host}:${port}`, port, server, holder, metrics, logger, reload, close };
}
