import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as net from 'node:net';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pino, type Logger as Pino } from 'pino';
import { createApp } from './app.ts';
import type { ServiceConfig } from './config.ts';
import { DriftMonitor } from './drift-monitor.ts';
import { createMetrics, modelMetricValues, publishModel, type ServiceMetrics } from './metrics.ts';
import { ModelHolder, type ReloadResult } from './model/model-holder.ts';
import { errorMessage } from '../../pipeline/src/util/errors.ts';

/** How long shutdown waits for a connection that is open but has sent no request. */
const NEW_CONNECTION_GRACE_MS = 5000;
/**
 * How long shutdown leaves a keep-alive connection idle after its last
 * response before closing it: a client may be reusing it for its next request
 * right now, and a close mid-write would fail that request (ECONNRESET).
 * Responses sent during shutdown carry `Connection: close` instead.
 */
const IDLE_KEEP_ALIVE_GRACE_MS = 500;

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
  const server = createServer(app);
  // Every connection, so shutdown can close each one when it has nothing in flight.
  const connections = new Map<
    Socket,
    { busy: number; served: boolean; since: number; idleSince: number }
  >();
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { busy: 0, served: false, since: Date.now(), idleSince: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = connections.get(req.socket);
    if (state) state.busy++;
    if (shuttingDown) res.setHeader('connection', 'close');
    res.once('close', () => {
      if (!state) return;
      state.busy--;
      state.served = true;
      state.idleSince = Date.now();
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
        for (const socket of connections.keys()) socket.destroy();
      }
      await stopped;
      holder.current?.retire();
      logger.info('stopped');
    })());
  return { url: `http://${host}:${port}`, port, server, holder, metrics, logger, reload, close };
}
