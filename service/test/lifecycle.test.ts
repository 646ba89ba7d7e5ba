import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import {
  housingRows,
  post,
  removeDir,
  ROOT,
  startService,
  trainModel,
} from '@housing/test-support/service';

type Row = Record<string, number | string | null>;
let modelDir: string;
let rows: Row[];

beforeAll(async () => {
  modelDir = await trainModel();
  rows = (await housingRows()).rows.map(({ median_house_value: _y, ...r }) => r);
}, 120_000);
afterAll(() => removeDir(modelDir));

async function psi(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Object.fromEntries(
    [...text.matchAll(/^model_feature_drift_psi\{feature="([^"]+)"\} (\S+)$/gm)].map((m) => [
      m[1]!,
      Number(m[2]),
    ]),
  );
}

describe('graceful shutdown', () => {
  it('drops no in-flight request on SIGTERM under load, then exits 0', async () => {
    // The default drain: connections the kernel accepted before SIGTERM get served.
    const service = await startService(modelDir, { SHUTDOWN_DRAIN_MS: '1000' });
    const batch = rows.slice(0, 1000);
    const inFlight = Array.from({ length: 40 }, () =>
      post(`${service.url}/v1/predict/batch`, { instances: batch }),
    );
    await new Promise((done) => setTimeout(done, 20));
    process.kill(service.child.pid!, 'SIGTERM');
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    expect(await service.exited).toBe(0);
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
  }, 60_000);
});

describe('online drift', () => {
  it('stays low for training-like inputs and rises for a shifted feature', async () => {
    const service = await startService(modelDir, {
      DRIFT_WINDOW_ROWS: '2000',
      DRIFT_INTERVAL_MS: '100',
    });
    try {
      const sample = rows.filter((_, i) => i % 10 === 3).slice(0, 2000);
      await post(`${service.url}/v1/predict/batch`, { instances: sample.slice(0, 1000) });
      await post(`${service.url}/v1/predict/batch`, { instances: sample.slice(1000) });
      await new Promise((done) => setTimeout(done, 400));
      const calm = await psi(service.url);
      expect(Object.keys(calm)).toContain('median_income');
      expect(Math.max(...Object.values(calm))).toBeLessThan(0.1);

      const shifted = sample.map((r) => ({
        ...r,
        median_income: Math.min(15, (r.median_income as number) * 2),
      }));
      await post(`${service.url}/v1/predict/batch`, { instances: shifted.slice(0, 1000) });
      await post(`${service.url}/v1/predict/batch`, { instances: shifted.slice(1000) });
      await new Promise((done) => setTimeout(done, 400));
      const drifted = await psi(service.url);
      expect(drifted.median_income).toBeGreaterThan(0.25);
      expect(drifted.latitude).toBeLessThan(0.1);
      const text = await (await fetch(`${service.url}/metrics`)).text();
      expect(text).toMatch(/^model_feature_drift_last_computed_timestamp_seconds \d+/m);
    } finally {
      await service.stop();
    }
  }, 60_000);
});

describe('configuration', () => {
  it('names every bad variable', () => {
    let message = '';
    try {
      parseConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', ADMIN_TOKEN: 'short', MAX_BATCH_ROWS: '0' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(
      message
        .split('\n')
        .slice(1)
        .map((l) => l.trim())
        .sort(),
    ).toEqual([
      'ADMIN_TOKEN: must be at least 16 characters (or unset to disable /admin/reload)',
      'LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent',
      'MAX_BATCH_ROWS="0": expected an integer from 1 to 100000',
      'PORT="eighty": expected an integer from 0 to 65535',
    ]);
  });

  it('takes an integer only as decimal digits: hex, exponents and fractions are named, not read', () => {
    for (const [name, raw] of [
      ['MAX_CONNECTIONS', '0x10'],
      ['PORT', '1e3'],
      ['CONNECTIONS_CHECK_INTERVAL_MS', '0b1111101000'],
      ['HEADERS_TIMEOUT_MS', '5000.0'],
      ['MAX_BATCH_ROWS', '+10'],
      ['SHUTDOWN_TIMEOUT_MS', '1_000'],
    ]) {
      expect(() => parseConfig({ [name!]: raw }), `${name}=${raw}`).toThrow(
        `${name}="${raw}": expected an integer`,
      );
    }
    expect(parseConfig({ PORT: ' 8081 ' }).port).toBe(8081);
  });

  it('treats an empty HOST or MODEL_DIR as unset, as it treats every other empty variable', () => {
    // HOST="" would otherwise listen on every interface (Node's default), MODEL_DIR="" on the cwd.
    const config = parseConfig({ HOST: '', MODEL_DIR: '' });
    expect(config.host).toBe('127.0.0.1');
    expect(config.modelDir).toBe('models/production');
  });

  it('fails fast at startup with the message and exit code 2, no stack trace', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '-1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'error: environment: invalid configuration:\n  PORT="-1": expected an integer from 0 to 65535\n',
    );
  });
});
