import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../pipeline/src/util/logger.ts';
import { GitHubClient } from '../../actions/shared/github.ts';
import { createRelay } from './app.ts';
import type { RelayConfig } from './config.ts';
import { Cooldown } from './cooldown.ts';

/** A listening relay. */
export interface RunningRelay {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the relay; `close()` stops accepting and waits for requests in flight. */
export async function startRelay(config: RelayConfig, logger: Logger): Promise<RunningRelay> {
  const github = new GitHubClient(config.githubToken, config.githubApiUrl);
  const { owner, repo } = config.repository;
  const server = createServer(
    createRelay({
      relayToken: config.relayToken,
      cooldown: new Cooldown(config.cooldownMs),
      logger,
      // GitHub answers 204 No Content; the client throws on anything not 2xx.
      dispatch: async (event) =>
        void (await github.request('POST', `/repos/${owner}/${repo}/dispatches`, event)),
    }),
  );
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, done);
  });
  const { port } = server.address() as AddressInfo;
  logger.info('listening', { host: config.host, port });
  return {
    url: `http://${config.host}:${port}`,
    server,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
