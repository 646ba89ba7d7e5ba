import { createServer } from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago, for a program that
 * must be told its port (Prometheus, PostgreSQL) rather than given port 0.
 */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}
