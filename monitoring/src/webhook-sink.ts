import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
// The payload type is the relay's: it is the one that validates real Alertmanager bodies.
import type { WebhookPayload } from './alertmanager-webhook.ts';

/** A notification as the sink received it: the path it came to, and the body. */
export interface Notification {
  /** The path after the sink's URL: the loopback config uses the receiver's name. */
  path: string;
  payload: WebhookPayload;
  receivedAt: Date;
}

/** A loopback HTTP server that records every webhook Alertmanager sends it. */
export interface WebhookSink {
  url: string;
  notifications: Notification[];
  close(): Promise<void>;
}

/** Starts the sink on 127.0.0.1 (port 0 unless given). */
export async function startWebhookSink(
  onNotification: (n: Notification) => void = () => {},
  port = 0,
): Promise<WebhookSink> {
  const notifications: Notification[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let payload: WebhookPayload;
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload;
      } catch {
        res.writeHead(400).end('body is not JSON\n');
        return;
      }
      const n = {
        path: decodeURIComponent((req.url ?? '/').slice(1)),
        payload,
        receivedAt: new Date(),
      };
      notifications.push(n);
      onNotification(n);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    notifications,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
