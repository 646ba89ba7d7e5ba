import { METHODS, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  removeDir,
  startService,
  trainModel,
  type ServiceProcess,
} from '@housing/test-support/service';

let modelDir: string;
let service: ServiceProcess;

beforeAll(async () => {
  modelDir = await trainModel();
  service = await startService(modelDir);
}, 120_000);
afterAll(async () => {
  await service?.stop();
  await removeDir(modelDir);
});

/** Sends one request without a body and resolves to its status (0 when it failed). */
function send(method: string, path: string): Promise<number> {
  const { port } = new URL(service.url);
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('error', () => done(0));
    req.end();
  });
}

describe('the method label of http_request_duration_seconds', () => {
  it('takes a handful of values, whatever methods clients send', async () => {
    // Every method Node's parser accepts (34; it refuses others itself with a 400
    // that never reaches the service), on the prediction routes and elsewhere.
    const paths = ['/v1/predict', '/v1/predict/batch', '/healthz', '/nope'];
    const methods = METHODS.filter((m) => m !== 'CONNECT');
    expect(methods.length).toBeGreaterThan(30);
    for (const method of methods) for (const path of paths) await send(method, path);
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const counts = text
      .split('\n')
      .filter((line) => line.startsWith('http_request_duration_seconds_count{'));
    const labels = new Set(counts.map((line) => /method="([^"]*)"/.exec(line)?.[1]));
    // GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, and "other" for the rest.
    expect([...labels].sort()).toEqual(
      ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'other'].filter((m) =>
        labels.has(m),
      ),
    );
    expect(labels.size).toBeLessThanOrEqual(8);
    expect(labels.has('other')).toBe(true);
    // So the series stay few: 8 methods × 3 routes (two of ours and "unmatched") at most,
    // plus /healthz's GET and HEAD, each with its status.
    expect(counts.length).toBeLessThanOrEqual(30);
  }, 60_000);
});
