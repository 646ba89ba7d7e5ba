import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger as Pino } from 'pino';
import { createLogger } from '@housing/core/logger';
import { createApp } from './app.ts';
import type { ServiceConfig } from './config.ts';
import { DriftMonitor } from './drift-monitor.ts';
import { trackConnections, type ConnectionState, type ShedCounts } from './http/connections.ts';
import { cutByService } from './http/instrument.ts';
import { listenError } from '@housing/core/listen-error';
import { createMetrics, modelMetricValues, publishModel, type ServiceMetrics } from './metrics.ts';
import { ModelHolder, type ReloadResult } from './model/model-holder.ts';
import { errorMessage } from '@housing/core/errors';
import { openPredictionLog, type RunningLog } from './prediction-log/open.ts';

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
  /** The prediction log and its store, or undefined when PREDICTION_LOG=off. */
  predictionLog: RunningLog | undefined;
  /** Reloads the model from its folder (what SIGHUP and /admin/reload do). */
  reload(): Promise<ReloadResult>;
  /** Marks the service unready, stops accepting connections, drains in-flight requests, then resolves. */
  close(): Promise<void>;
}

/** Every open connection and what it is doing (trackConnections). */
type Connections = Map<net.Socket, ConnectionState>;

/** What the service's parts share while it runs: the drift monitor of the model it serves, and whether it is stopping. */
interface ServiceState {
  drift: DriftMonitor | undefined;
  shuttingDown: boolean;
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
  // First, before a model is loaded: a store that cannot be reached stops the service
  // at once (see prediction-log/open.ts), and nothing else is left running.
  const predictionLog = config.predictionLog
    ? await openPredictionLog(config.predictionLog, metrics, logger)
    : undefined;
  const state: ServiceState = { drift: undefined, shuttingDown: false };
  const holder = createModelHolder(config, metrics, logger, state);
  const reload = () => holder.reload();
  await reload();
  if (!holder.current) metrics.modelLoaded.set(0);

  const app = createApp({
    config,
    holder,
    metrics,
    logger,
    predictionLog: predictionLog?.log,
    drift: () => state.drift,
    shuttingDown: () => state.shuttingDown,
  });
  const { server, connections } = createHttpServer(config, app, logger, state);
  try {
    await listen(server, config);
  } catch (error) {
    state.drift?.stop();
    holder.current?.retire();
    await predictionLog?.close(Date.now() + config.shutdownTimeoutMs);
    throw listenError(error, config.host, config.port);
  }
  // After listening, an error is the accept's (EMFILE, say): log it, keep serving.
  server.on('error', (error) => logger.error({ err: errorMessage(error) }, 'server error'));
  const { port } = server.address() as AddressInfo;
  logger.info({ port, model_version: holder.current?.version ?? null }, 'listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      state.shuttingDown = true;
      state.drift?.stop();
      // One deadline for the whole shutdown: what the HTTP drain leaves, the log may use.
      const deadline = Date.now() + config.shutdownDrainMs + config.shutdownTimeoutMs;
      // Unready first, still accepting: see ServiceConfig.shutdownDrainMs.
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
      await drainAndStop(server, connections, config, logger);
      holder.current?.retire();
      // After the drain: every answered prediction has been recorded by now.
      if (predictionLog) {
        await predictionLog.close(deadline);
        logger.info(await logSummary(metrics), 'prediction log closed');
      }
      logger.info('stopped');
    })());
  const url = `http://${connectableHost(config.host)}:${port}`;
  return { url, port, server, holder, metrics, logger, predictionLog, reload, close };
}

/** What the prediction log wrote and dropped over the service's life, for the shutdown line. */
async function logSummary(metrics: ServiceMetrics): Promise<Record<string, number>> {
  const summary: Record<string, number> = {
    written: (await metrics.logWritten.get()).values[0]?.value ?? 0,
  };
  for (const { labels, value } of (await metrics.logDropped.get()).values)
    summary[`dropped_${String(labels.reason)}`] = value;
  return summary;
}

/**
 * The holder of the served model, wired to the service: a swap publishes the model's
 * metrics and replaces the drift monitor; every load is counted and logged.
 */
function createModelHolder(
  config: ServiceConfig,
  metrics: ServiceMetrics,
  logger: Pino,
  state: ServiceState,
): ModelHolder {
  const holder: ModelHolder = new ModelHolder(config.modelDir, {
    prepareSwap(model) {
      // Derived before the swap, where a failure rejects the reload; the swap only assigns.
      const values = modelMetricValues(model.card, model.loadedAt);
      const monitor = new DriftMonitor(model.card, metrics, config.driftWindowRows);
      return () => {
        publishModel(metrics, values);
        state.drift?.stop();
        state.drift = monitor;
        monitor.start(config.driftIntervalMs);
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
  return holder;
}

/**
 * The HTTP server with the configured timeouts, every connection tracked (so shutdown can
 * close each one when it has nothing in flight) and `Connection: close` once shutting down.
 */
function createHttpServer(
  config: ServiceConfig,
  app: RequestListener,
  logger: Pino,
  state: ServiceState,
): { server: Server; connections: Connections } {
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
  const connections = trackConnections(server, config.maxConnections, logShed(logger, config));
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (state.shuttingDown) res.setHeader('connection', 'close');
  });
  return { server, connections };
}

/** Listens on the configured host and port; rejects with the listen error (EADDRINUSE...). */
function listen(server: Server, config: ServiceConfig): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Stops accepting, then closes each connection once it has nothing in flight (all of them
 * at `shutdownTimeoutMs`), and resolves when the server has closed.
 */
async function drainAndStop(
  server: Server,
  connections: Connections,
  config: ServiceConfig,
  logger: Pino,
): Promise<void> {
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
}

/**
 * The host to put in the service's URL. A wildcard address names every interface, not one
 * to connect to: use loopback. An IPv6 address goes in brackets, or the URL cannot be
 * parsed (RFC 3986 3.2.2).
 */
function connectableHost(host: string): string {
  return host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : bracketed(host);
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
