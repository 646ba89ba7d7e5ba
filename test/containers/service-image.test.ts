import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerUid,
  docker,
  imageSize,
  imageUnderTest,
  MiB,
  publishedAddress,
  skipWithoutEngine,
  stopContainer,
  waitHealthy,
} from '@housing/test-support/docker';
import { removeDir, SAMPLE_ROW, trainModel } from '@housing/test-support/service';

const SUITE = 'service image, built by a real engine from service/Dockerfile';
// The service's own layers (bundle, production node_modules with onnxruntime's
// linux-x64 binaries, model): about 88 MiB when this budget was set. The
// whole image is measured on the stand-in base (256 MiB; the official
// node:24-bookworm-slim is smaller), so the total budget has room for it.
const OWN_LAYERS_BUDGET = 120 * MiB;
const TOTAL_BUDGET = 400 * MiB;
// The service's defaults: SHUTDOWN_DRAIN_MS (unready but serving), then at
// most SHUTDOWN_TIMEOUT_MS for requests in flight. docker stop's timeout is
// their sum, so a service that overran it would be killed (exit 137).
const DRAIN_MS = 1000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

describe.skipIf(skipWithoutEngine(SUITE))(SUITE, () => {
  let modelDir = '';
  const image = imageUnderTest({
    dockerfile: 'service/Dockerfile',
    name: 'housing-service',
    // What the pipeline writes to models/production before the image is built.
    extra: async () => {
      modelDir = await trainModel();
      return {
        'models/production/model.onnx': join(modelDir, 'model.onnx'),
        'models/production/model.card.json': join(modelDir, 'model.card.json'),
      };
    },
    runArgs: ['--publish', '127.0.0.1::8080'],
  });

  beforeAll(() => image.setUp(), 15 * 60_000);
  afterAll(async () => {
    await image.tearDown();
    if (modelDir) await removeDir(modelDir);
  });

  it("turns healthy through Docker's own HEALTHCHECK", async () => {
    await waitHealthy(image.id, 60_000);
  }, 70_000);

  it('runs as a non-root user', async () => {
    expect(await docker(['inspect', '--format', '{{.Config.User}}', image.id])).toBe('node');
    expect(await containerUid(image.id)).not.toBe(0);
  });

  it('answers a prediction from the model baked into the image', async () => {
    const address = await publishedAddress(image.id, 8080);
    const res = await fetch(`http://${address}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(SAMPLE_ROW),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { prediction: number; model_version: string };
    expect(Number.isFinite(body.prediction)).toBe(true);
    expect(body.model_version).toMatch(/^gbdt-/);
  });

  it(`stays within its size budget (own layers <= ${OWN_LAYERS_BUDGET / MiB} MiB, total <= ${TOTAL_BUDGET / MiB} MiB)`, async () => {
    const size = await imageSize(image.tag);
    expect(size - (await imageSize(image.base))).toBeLessThanOrEqual(OWN_LAYERS_BUDGET);
    expect(size).toBeLessThanOrEqual(TOTAL_BUDGET);
  });

  it('exits 0 on docker stop, after its drain window and within its shutdown time', async () => {
    const stop = await stopContainer(image.id, (DRAIN_MS + SHUTDOWN_TIMEOUT_MS) / 1000);
    expect(stop.exitCode).toBe(0);
    expect(stop.ms).toBeGreaterThanOrEqual(DRAIN_MS);
  }, 60_000);
});
