import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger as Pino } from 'pino';
import { createLogger } from '@housing/core/logger';
import { createApp } from './app.ts';
import type { ServiceConfig } from './config.ts';
import { DriftMonitor } from './drift-monitor.ts';
import { trackConnections, type ShedCounts } from './http/connections.ts';
import { cutByService } from './http/instrument.ts';
import { listenError } from '@housing/core/listen-error';
import { createMetrics, modelMetricValues, publishModel, type ServiceMetrics } from './metrics.ts';
import { ModelHolder, type ReloadResult } from './model/model-holder.ts';
import { errorMessage } from '@housing/core/errors';

/** How long shutdown waits for a connection that is open but has sent no request. */
const NEW_CONNECTION_GRACE_MS = 5000;
/**
 * How long shutdown leaves a keep-alive connection idle after its last
 * response before closing it: a client may be reusing it for its next request
 * right now, and a close mid-write would fail that request (ECONNRESET).
 * Responses sent during shutdown carry `Connection: close` instead.
 */
const IDLE_KEEP_ALIVE_GRACE_MS = 500;
/** At most one log line per this long about connections the limit closed or refused. */
const SHED_LOG_INTERVAL_MS = 10_000;

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
  logger: Pino = createLogger('service', { level: config.logLevel, stream: process.stdout }),
): Promise<RunningService> {
  const metrics = createMetrics();
  let drift: DriftMonitor | undefined;
  let shuttingDown = false;
  const holder = new ModelHolder(config.modelDir, {
    prepareSwap(model) {
      // Derived before the swap, where a failure rejects the reload; the swap only assigns.
      const values = modelMetricValues(model.card, model.loadedAt);
      const monitor = new DriftMonitor(model.card, metrics, config.driftWindowRows);
      return () => {
        publishModel(metrics, values);
        drift?.stop();
        drift = monitor;
        drift.start(config.driftIntervalMs);
      };
    },
    onWorkerCrash(modelVersion, reason) {
      logger.error(
        { model_version: modelVersion, reason },
        'inference worker stopped: large batches now run on the event loop',
      );
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
  // Node's defaults (60 s for headers, 300 s for a request, checked every
  // 30 s) let one slow client hold a socket for minutes; see config.ts.
  const server = createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      connectionsCheckingInterval: config.connectionsCheckIntervalMs,
    },
    app,
  );
  server.keepAliveTimeout = config.keepAliveTimeoutMs; // the option is recent in Node 20
  // Every connection, so shutdown can close each one when it has nothing in flight.
  const connections = trackConnections(server, config.maxConnections, logShed(logger, config));
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (shuttingDown) res.setHeader('connection', 'close');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    drift?.stop();
    holder.current?.retire();
    throw listenError(error, config.host, config.port);
  }
  // After listening, an error is the accept's (EMFILE, say): log it, keep serving.
  server.on('error', (error) => logger.error({ err: errorMessage(error) }, 'server error'));
  const { port } = server.address() as AddressInfo;
  // A wildcard address names every interface, not one to connect to: use loopback.
  // An IPv6 address goes in brackets, or the URL cannot be parsed (RFC 3986 3.2.2).
  const host =
    config.host === '0.0.0.0'
      ? '127.0.0.1'
      : config.host === '::'
        ? '[::1]'
        : bracketed(config.host);
  logger.info({ port, model_version: holder.current?.version ?? null }, 'listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      drift?.stop();
      // Unready first, still accepting: see ServiceConfig.shutdownDrainMs.
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
      // Stop accepting connections, but keep the open ones: Node's http close()
      // would also drop connections that are open but have not sent their request yet.
      const stopped = new Promise<void>((resolve) =>
        net.Server.prototype.close.call(server, () => resolve()),
      );
      const deadline = Date.now() + config.shutdownTimeoutMs;
      // Close each connection once it has been idle for a moment after a response,
      // or new and silent for a grace period (as Go's http.Server.Shutdown does);
      // at the deadline, close them all.
      while (connections.size > 0 && Date.now() < deadline) {
        const now = Date.now();
        for (const [socket, state] of connections) {
          if (state.busy > 0) continue;
          if (
            state.served
              ? now - state.idleSince > IDLE_KEEP_ALIVE_GRACE_MS
              : now - state.since > NEW_CONNECTION_GRACE_MS
          )
            socket.destroy();
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (connections.size > 0) {
        logger.warn(
          { connections: connections.size },
          'shutdown timeout: closing the remaining connections',
        );
        // With an error that counts their requests as 503 (see sentStatus), not as clients
        // that left; and wait for their close, so that those requests are counted and logged
        // before "stopped".
        await Promise.all(
          [...connections.keys()].map(
            (socket) =>
              new Promise((resolve) => {
                socket.once('close', resolve);
                socket.destroy(cutByService());
              }),
          ),
        );
      }
      await stopped;
      holder.current?.retire();
      logger.info('stopped');
    })());
  return { url: `http://${host}:${port}`, port, server, holder, metrics, logger, reload, close };
}

/** An IPv6 address in brackets, as a URL needs it; a name or IPv4 address as it is. */
function bracketed(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

/**
 * Logs what the connection limit closed or refused, at most once per
 * SHED_LOG_INTERVAL_MS: a flood of connections must not flood the log too.
 */
function logShed(logger: Pino, config: ServiceConfig): (counts: ShedCounts) => void {
  let pending: ShedCounts | undefined;
  return (counts) => {
    if (pending) {
      pending.idleClosed += counts.idleClosed;
      pending.refused += counts.refused;
      return;
    }
    pending = { ...counts };
    setTimeout(() => {
      logger.warn(
        {
          idle_closed: pending?.idleClosed,
          refused: pending?.refused,
          max_connections: config.maxConnections,
        },
        'connection limit reached: closed idle connections, refused new ones when all were busy',
      );
      pending = undefined;
    }, SHED_LOG_INTERVAL_MS).unref();
  };
}
