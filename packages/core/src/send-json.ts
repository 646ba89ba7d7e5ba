import type { ServerResponse } from 'node:http';

/**
 * Answers a node:http request with a JSON body (and a final newline, so a
 * terminal or a log shows one line each). For the small servers without
 * Express: the relay, and the loopback fakes the tests run.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(`${JSON.stringify(body)}\n`);
}
