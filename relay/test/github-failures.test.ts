import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCliLogger } from '@housing/core/logger';
import { loadRelayConfig } from '../src/config.ts';
import { startRelay, type RunningRelay } from '../src/server.ts';
import { startUnreliableGitHub, type UnreliableGitHub } from './unreliable-github.ts';

const RELAY_TOKEN = 'relay-token-0123456789abcdef';
const firing = JSON.parse(
  await readFile(join(import.meta.dirname, 'payloads', 'firing-drift.json'), 'utf8'),
) as Record<string, unknown>;

describe('retrain relay when GitHub hangs, is slow or fails', () => {
  let github: UnreliableGitHub;
  let relay: RunningRelay;
  let logLines: string[];

  const send = (body: unknown = firing) =>
    fetch(`${relay.url}/v1/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${RELAY_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (res) => {
      const text = await res.text();
      return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
    });

  beforeAll(async () => {
    github = await startUnreliableGitHub();
  });
  beforeEach(async () => {
    github.mode = 'accept';
    github.dispatches.length = 0;
    github.received = 0;
    logLines = [];
    const stream = {
      write: (s: string) => logLines.push(s) > 0,
    } as unknown as NodeJS.WriteStream;
    relay = await startRelay(
      loadRelayConfig({
        PORT: '0',
        RELAY_TOKEN,
        GITHUB_TOKEN: 'ghs_unused',
        GITHUB_REPOSITORY: 'housing-mlops/housing-mlops',
        GITHUB_API_URL: github.url,
        // Small, so a hang ends quickly; the test never measures it.
        GITHUB_TIMEOUT_MS: '300',
      }),
      createCliLogger('relay', stream, false),
    );
  });
  afterEach(async () => {
    github.release();
    await relay.close();
  });
  afterAll(async () => {
    await github.close();
  });

  it('answers 502 when GitHub hangs, records no cool-down, and dispatches exactly once when it recovers', async () => {
    github.mode = 'hang';
    // Alertmanager's first notification and a duplicate of it (a retry, or
    // the other replica of an HA pair) while the first call is hanging.
    const first = send();
    await github.waitForRequests(1);
    const duplicate = send();
    const answers = await Promise.all([first, duplicate]);
    for (const answer of answers) {
      expect(answer.status).toBe(502);
      expect(answer.body.error).toMatch(/GitHub did not answer .*within 300 ms/);
    }
    // Both notifications were served by the one hanging call.
    expect(github.received).toBe(1);
    expect(github.dispatches).toEqual([]);

    github.mode = 'accept';
    const retry = await send();
    expect(retry).toMatchObject({ status: 202, body: { forwarded: true, alerts: 1 } });
    expect(github.dispatches).toHaveLength(1);
    // Now the cool-down holds.
    expect((await send()).body).toMatchObject({ forwarded: false, reason: 'cool-down' });
    expect(github.dispatches).toHaveLength(1);
  }, 30_000);

  it('dispatches once for duplicates that arrive while a slow dispatch is in flight', async () => {
    github.mode = 'hold';
    const answers = [send(), send(), send()];
    await github.waitForRequests(1);
    // Let the duplicates reach the relay before GitHub answers the first.
    const other = send({ ...firing, groupKey: '{}:{alertname="HousingPredictionShift"}' });
    await github.waitForRequests(2);
    github.release();
    const statuses = (await Promise.all(answers)).map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 202]);
    expect((await other).status).toBe(202);
    expect(github.received).toBe(2);
    expect(github.dispatches).toHaveLength(2);
  }, 30_000);

  it('takes no redirect as an accepted dispatch: 502 naming the status, no cool-down', async () => {
    // fetch followed redirects: a 301, 302 or 303 turned the POST into a GET,
    // a page that answered it 200 counted as GitHub's acceptance, the cool-down
    // was recorded and the retrain was lost; a 307 re-sent the dispatch
    // wherever it pointed.
    for (const status of [301, 302, 303, 307, 308]) {
      github.mode = { status, body: '', headers: { location: `${github.url}/landing` } };
      const before = github.received;
      const answer = await send();
      expect(answer.status, String(status)).toBe(502);
      expect(answer.body, String(status)).toEqual({
        error: 'GitHub failed the dispatch',
        github_status: status,
      });
      // The relay called GitHub once and did not follow the redirect.
      expect(github.received - before, String(status)).toBe(1);
    }
    expect(logLines.filter((l) => l.includes('/landing'))).toHaveLength(5);
    github.mode = 'accept';
    expect((await send()).status).toBe(202);
    expect(github.dispatches).toHaveLength(1);
  }, 30_000);

  it("answers a GitHub failure with its status only; GitHub's reply goes to the log, bounded", async () => {
    const marker = 'GITHUB-REPLY-MARKER';
    github.mode = { status: 500, body: `${marker}${'x'.repeat(1 << 20)}` };
    const failed = await send();
    expect(failed.status).toBe(502);
    expect(failed.body).toEqual({ error: 'GitHub failed the dispatch', github_status: 500 });
    expect(failed.text).not.toContain(marker);

    const logged = logLines.filter((l) => l.includes('dispatch failed'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(marker);
    expect(logged[0]!.length).toBeLessThan(2_000);
  }, 30_000);
});
