import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerLogs,
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
import { ROOT } from '@housing/test-support/root';

const SUITE = 'relay image, built by a real engine from relay/Dockerfile';
const RELAY_TOKEN = 'relay-token-0123456789abcdef';
// The relay's own layer is one bundled file and its source map (under 3 MiB
// when this budget was set); the rest is the base image.
const OWN_LAYERS_BUDGET = 10 * MiB;
// SHUTDOWN_TIMEOUT_MS's default plus the grace the relay gives aborted
// webhooks: docker stop's timeout, so overrunning it means exit 137.
const SHUTDOWN_SECONDS = 5 + 1;

describe.skipIf(skipWithoutEngine(SUITE))(SUITE, () => {
  const image = imageUnderTest({
    dockerfile: 'relay/Dockerfile',
    name: 'housing-retrain-relay',
    runArgs: [
      ['--publish', '127.0.0.1::9095'],
      ['--env', `RELAY_TOKEN=${RELAY_TOKEN}`],
      ['--env', 'GITHUB_TOKEN=ghs_unused'],
      ['--env', 'GITHUB_REPOSITORY=housing-mlops/housing-mlops'],
    ].flat(),
  });
  const webhook = async (body: string, token = RELAY_TOKEN) =>
    fetch(`http://${await publishedAddress(image.id, 9095)}/v1/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });

  beforeAll(() => image.setUp(), 15 * 60_000);
  afterAll(() => image.tearDown());

  it("turns healthy through Docker's own HEALTHCHECK", async () => {
    await waitHealthy(image.id, 60_000);
  }, 70_000);

  it('runs as a non-root user', async () => {
    expect(await docker(['inspect', '--format', '{{.Config.User}}', image.id])).toBe('node');
    expect(await containerUid(image.id)).not.toBe(0);
  });

  it("answers Alertmanager's webhook: a resolved alert is acknowledged, a wrong token refused", async () => {
    const resolved = await readFile(join(ROOT, 'relay/test/payloads/resolved-drift.json'), 'utf8');
    const ok = await webhook(resolved);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ forwarded: false, reason: 'resolved' });
    expect((await webhook(resolved, 'wrong-token-0123456789abcdef')).status).toBe(401);
    expect(await containerLogs(image.id)).toContain('"ignored"');
  });

  it(`stays within its size budget (own layers <= ${OWN_LAYERS_BUDGET / MiB} MiB)`, async () => {
    expect((await imageSize(image.tag)) - (await imageSize(image.base))).toBeLessThanOrEqual(
      OWN_LAYERS_BUDGET,
    );
  });

  it('exits 0 on docker stop within its shutdown time', async () => {
    expect((await stopContainer(image.id, SHUTDOWN_SECONDS)).exitCode).toBe(0);
  }, 60_000);
});
