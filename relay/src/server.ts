import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@housing/core/logger';
import { listenError } from '@housing/core/listen-error';
import { createRelay } from './app.ts';
import type { RelayConfig } from './config.ts';
import { Cooldown } from './cooldown.ts';
import { dispatchToGitHub } from './github-dispatch.ts';
import { OncePerGroup } from './once-per-group.ts';

/**
 * How long shutdown gives the webhooks whose GitHub call it aborted to get
 * their 503 out before every connection left is closed.
 */
const ABORTED_REPLY_GRACE_MS = 1000;

/** A listening relay. */
export interface RunningRelay {
  url: string;
  server: Server;
  /**
   * Stops accepting, waits up to SHUTDOWN_TIMEOUT_MS for requests in flight,
   * then aborts the GitHub calls still in flight (their webhooks get 503, so
   * Alertmanager retries elsewhere or later) and closes every connection left.
   */
  close(): Promise<void>;
}

/** Starts the relay; see RunningRelay.close for how it stops. */
export async function startRelay(config: RelayConfig, logger: Logger): Promise<RunningRelay> {
  const shutdown = new AbortController();
  const target = {
    apiUrl: config.githubApiUrl,
    token: config.githubToken,
    ...config.repository,
    workflow: config.workflow,
    ref: config.ref,
    timeoutMs: config.githubTimeoutMs,
    shutdown: shutdown.signal,
  };
  const server = createServer(
    createRelay({
      relayToken: config.relayToken,
      groups: new OncePerGroup(new Cooldown(config.cooldownMs)),
      logger,
      dispatch: (inputs) => dispatchToGitHub(target, inputs),
    }),
  );
  // The responses not yet finished, so shutdown knows what is in flight.
  const open = new Set<ServerResponse>();
  let onEmpty: (() => void) | undefined;
  server.on('request', (_req, res: ServerResponse) => {
    // Once closing, no connection is kept alive for another request.
    if (!server.listening) res.setHeader('connection', 'close');
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      if (open.size === 0) onEmpty?.();
    });
  });
  /** Resolves when no response is open, or after `ms`, whichever comes first. */
  const settled = (ms: number) =>
    new Promise<void>((done) => {
      if (open.size === 0) return done();
      const timer = setTimeout(done, ms);
      onEmpty = () => {
        clearTimeout(timer);
        done();
      };
    });
  await new Promise<void>((done, fail) => {
    // The service's mapping: a port in use names PORT, an address not of this machine names HOST.
    server.once('error', (error) => fail(listenError(error, config.host, config.port)));
    server.listen(config.port, config.host, done);
  });
  const { port } = server.address() as AddressInfo;
  logger.info('listening', { host: config.host, port });

  let closing: Promise<void> | undefined;
  const close = async () => {
    const closed = new Promise<void>((done) => server.close(() => done()));
    server.closeIdleConnections();
    await settled(config.shutdownTimeoutMs);
    if (open.size > 0) {
      logger.warn('aborting requests still in flight', { requests: open.size });
      shutdown.abort();
      await settled(ABORTED_REPLY_GRACE_MS);
    }
    // Keep-alive connections and clients that never finished their request.
    server.closeAllConnections();
    await closed;
  };
  return {
    url: `http://${config.host}:${port}`,
    server,
    close: () => (closing ??= close()),
  };
}
