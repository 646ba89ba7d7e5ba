import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '@housing/core/logger';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import { loopbackAlertmanagerConfig } from '@housing/monitoring/loopback-config';
import { ALERTMANAGER_CONFIG } from '@housing/monitoring/paths';
import { startAlertmanager } from '@housing/monitoring/alertmanager-process';
import type { ManagedProcess } from '@housing/monitoring/processes';
import { readYamlFile } from '@housing/core/yaml-file';
import { startWebhookSink } from '@housing/monitoring/webhook-sink';
import { missing } from '@housing/test-support/programs';
import { ROOT } from '@housing/test-support/root';
import { ConfigurationError } from '@housing/core/errors';
import { loadRelayConfig, type RelayConfig } from '../src/config.ts';
import { startRelay, type RunningRelay } from '../src/server.ts';

const RELAY_TOKEN = 'relay-token-0123456789abcdef';
const GITHUB_TOKEN = 'ghs_relayTokenForTheLoopbackApi0123456';
const payload = async (name: string) =>
  JSON.parse(await readFile(join(import.meta.dirname, 'payloads', name), 'utf8')) as Record<
    string,
    unknown
  >;

function configFor(
  github: FakeGitHub,
  cooldownSeconds: number,
  env: Record<string, string> = {},
): RelayConfig {
  return loadRelayConfig({
    PORT: '0',
    RELAY_TOKEN,
    GITHUB_TOKEN,
    GITHUB_REPOSITORY: 'housing-mlops/housing-mlops',
    GITHUB_API_URL: github.url,
    COOLDOWN_SECONDS: String(cooldownSeconds),
    ...env,
  });
}

/** A logger that keeps each line, as JSON, in `lines`. */
function capturingLogger(lines: string[]): Logger {
  const capture = (message: string, fields?: Record<string, unknown>) =>
    void lines.push(JSON.stringify({ message, ...fields }));
  return { info: capture, warn: capture, error: capture, progress() {} };
}

/** The inputs the committed ct.yml declares for workflow_dispatch, as GitHub reads them. */
async function ctInputs(): Promise<Record<string, { required?: boolean }>> {
  const ct = (await readYamlFile(join(ROOT, '.github/workflows/ct.yml'))) as {
    on: { workflow_dispatch: { inputs: Record<string, { required?: boolean }> } };
  };
  return ct.on.workflow_dispatch.inputs;
}

/**
 * A fake GitHub whose repository has a main branch and the committed ct.yml:
 * a dispatch with an input ct.yml does not declare, or on a ref that is not
 * a branch, gets GitHub's 422.
 */
async function githubWithCt(): Promise<FakeGitHub> {
  const github = await startFakeGitHub(GITHUB_TOKEN);
  github.seedBranch('main', { '.github/workflows/ct.yml': 'on: workflow_dispatch' });
  github.workflows.set('ct.yml', await ctInputs());
  return github;
}

describe('retrain relay, with real Alertmanager payloads, against a loopback fake of the GitHub API', () => {
  let github: FakeGitHub;
  let relay: RunningRelay;
  const send = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${relay.url}/v1/alertmanager`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${RELAY_TOKEN}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as Record<string, unknown>,
    }));

  beforeAll(async () => {
    github = await githubWithCt();
  });
  beforeEach(async () => {
    await relay?.close();
    github.workflowDispatches.length = 0;
    github.failDispatches.length = 0;
    relay = await startRelay(configFor(github, 3600), silentLogger);
  });
  afterAll(async () => {
    await relay?.close();
    await github.close();
  });

  it("turns a firing drift alert into one workflow_dispatch of ct.yml on main, with ct.yml's inputs", async () => {
    const res = await send(await payload('firing-drift.json'));
    expect(res).toEqual({ status: 202, body: { forwarded: true, alerts: 1 } });
    // The fake took it as GitHub would: ct.yml declares every input sent.
    expect(github.workflowDispatches).toEqual([
      {
        workflow: 'ct.yml',
        ref: 'main',
        inputs: {
          reason: 'alertmanager',
          group_key: '{}:{alertname="HousingFeatureDrift", job="housing-service"}',
          alerts: expect.any(String) as unknown,
        },
      },
    ]);
    // A workflow's inputs are strings: the alerts travel as JSON text.
    expect(JSON.parse(github.workflowDispatches[0]!.inputs.alerts as string)).toEqual([
      {
        alertname: 'HousingFeatureDrift',
        labels: {
          alertname: 'HousingFeatureDrift',
          feature: 'median_income',
          instance: 'service:8080',
          job: 'housing-service',
          retrain: 'true',
          severity: 'warning',
        },
        summary: 'Feature median_income has drifted from the training data.',
        starts_at: '2026-11-23T02:55:54.974358653Z',
      },
    ]);
    // Only the workflow dispatch endpoint was called: never repository_dispatch.
    expect(github.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/repos/housing-mlops/housing-mlops/actions/workflows/ct.yml/dispatches',
    ]);
    expect(
      github.calls.filter(
        (c) => c.path.endsWith('/dispatches') && !c.path.includes('/actions/workflows/'),
      ),
    ).toEqual([]);
  });

  it("keeps the inputs under GitHub's 65,535 characters however large the alerts", async () => {
    const firing = await payload('firing-drift.json');
    // More alerts, more labels, longer names and values than an input keeps,
    // yet a body under the relay's 1 MiB.
    const big = 'v'.repeat(1000);
    const labels = Array.from({ length: 21 }, (_, i): [string, string] => [
      `label_${i}_${'k'.repeat(1000)}`,
      big,
    ]);
    const alert = {
      status: 'firing',
      labels: { alertname: 'HousingFeatureDrift', retrain: 'true', ...Object.fromEntries(labels) },
      annotations: { summary: big },
      startsAt: '2026-11-23T02:55:54Z',
    };
    const res = await send({
      ...firing,
      groupKey: `{}:${'g'.repeat(100_000)}`,
      alerts: Array<object>(11).fill(alert),
    });
    // The fake refuses inputs over GitHub's limit with a 422, as GitHub does.
    expect(res.status).toBe(202);
    const { inputs } = github.workflowDispatches[0]!;
    expect(JSON.stringify(inputs).length).toBeLessThanOrEqual(65_535);
    const alerts = JSON.parse(inputs.alerts as string) as { labels: Record<string, string> }[];
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    // Fewer than the 10 a group is summarised by: the last ones did not fit.
    expect(alerts.length).toBeLessThan(10);
    expect(alerts[0]!.labels.alertname).toBe('HousingFeatureDrift');
    expect(Object.keys(alerts[0]!.labels).length).toBeLessThanOrEqual(20);
    expect((inputs.group_key as string).length).toBeLessThan(1100);
    for (const value of Object.values(alerts[0]!.labels)) expect(value.length).toBeLessThan(300);
  });

  it('logs what to check when GitHub answers 404 (no such workflow) or 422 (ref or inputs refused)', async () => {
    // ct.yml as it was before the relay sent group_key and alerts.
    github.workflows.set('old-ct.yml', { reason: { required: false } });
    const firing = await payload('firing-drift.json');
    for (const [env, status, logged] of [
      [
        { RETRAIN_WORKFLOW: 'missing.yml' },
        404,
        /answered 404 \(no workflow missing\.yml in housing-mlops\/housing-mlops, .*RETRAIN_WORKFLOW.*\): .*Not Found/,
      ],
      [
        { RETRAIN_REF: 'no-such-branch' },
        422,
        /answered 422 \(GitHub refused the ref or the inputs: RETRAIN_REF 'no-such-branch' must be a branch.*\): .*No ref found for: no-such-branch/,
      ],
      [
        { RETRAIN_WORKFLOW: 'old-ct.yml' },
        422,
        /answered 422 \(.*old-ct\.yml must run on workflow_dispatch and declare the inputs reason, group_key and alerts\): .*Unexpected inputs provided/,
      ],
    ] as const) {
      const lines: string[] = [];
      const refused = await startRelay(configFor(github, 3600, env), capturingLogger(lines));
      try {
        const res = await fetch(`${refused.url}/v1/alertmanager`, {
          method: 'POST',
          headers: { authorization: `Bearer ${RELAY_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(firing),
        });
        expect(res.status, JSON.stringify(env)).toBe(502);
        expect(await res.json(), JSON.stringify(env)).toEqual({
          error: 'GitHub failed the dispatch',
          github_status: status,
        });
        const failed = lines.filter((l) => l.includes('dispatch failed'));
        expect(failed, JSON.stringify(env)).toHaveLength(1);
        const entry = JSON.parse(failed[0]!) as { error: string };
        expect(entry.error, JSON.stringify(env)).toMatch(logged);
        expect(failed[0], JSON.stringify(env)).not.toContain(GITHUB_TOKEN);
      } finally {
        await refused.close();
      }
    }
    expect(github.workflowDispatches).toEqual([]);
  });

  it('forwards a group once per cool-down, and a different group on its own', async () => {
    const firing = await payload('firing-drift.json');
    expect((await send(firing)).status).toBe(202);
    const again = await send(firing);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ forwarded: false, reason: 'cool-down' });
    expect(again.body.retry_after_seconds).toBeGreaterThan(3500);
    expect(
      (await send({ ...firing, groupKey: '{}:{alertname="HousingPredictionShift"}' })).status,
    ).toBe(202);
    expect(github.workflowDispatches).toHaveLength(2);
  });

  it('acknowledges resolved notifications and alerts without retrain="true", forwarding neither', async () => {
    expect(await send(await payload('resolved-drift.json'))).toEqual({
      status: 200,
      body: { forwarded: false, reason: 'resolved' },
    });
    const firing = await payload('firing-drift.json');
    const alerts = firing.alerts as { labels: Record<string, string> }[];
    const noRetrain = {
      ...firing,
      alerts: alerts.map((a) => ({ ...a, labels: { ...a.labels, retrain: 'false' } })),
    };
    expect((await send(noRetrain)).body).toEqual({
      forwarded: false,
      reason: 'no firing alert with retrain="true"',
    });
    expect(github.workflowDispatches).toEqual([]);
  });

  it('rejects bad payloads with a 400 that says what is wrong, and never forwards them', async () => {
    const firing = await payload('firing-drift.json');
    const cases: [unknown, RegExp][] = [
      ['{"version": "4",', /body is not JSON/],
      [{ ...firing, version: '3' }, /\/version must be equal to constant \("4"\)/],
      [{ ...firing, alerts: [] }, /\/alerts must NOT have fewer than 1 items/],
      [
        { ...firing, alerts: [{ status: 'firing', labels: {} }] },
        /\/alerts\/0 must have required property 'startsAt'/,
      ],
      [{ ...firing, groupKey: undefined }, /must have required property 'groupKey'/],
    ];
    for (const [body, message] of cases) {
      const res = await send(body);
      expect(res.status).toBe(400);
      const details = (res.body.details as string[] | undefined) ?? [];
      expect([String(res.body.error), ...details].join('\n')).toMatch(message);
    }
    expect(github.workflowDispatches).toEqual([]);
  });

  it('answers a payload with very many problems, or very long keys, with a 400 of bounded size', async () => {
    const firing = await payload('firing-drift.json');
    const sendRaw = async (body: unknown) => {
      const res = await fetch(`${relay.url}/v1/alertmanager`, {
        method: 'POST',
        headers: { authorization: `Bearer ${RELAY_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, text: await res.text() };
    };
    // Just under the 1 MiB body limit: about 330,000 alerts of three problems each.
    const many = { ...firing, alerts: Array<object>(330_000).fill({}) };
    expect(JSON.stringify(many).length).toBeLessThan(1 << 20);
    // One label whose name is most of the body: every problem's path quotes it.
    const long = {
      ...firing,
      alerts: [{ status: 'firing', labels: { ['k'.repeat(900_000)]: 1 }, startsAt: 'now' }],
    };
    for (const body of [many, long]) {
      const res = await sendRaw(body);
      expect(res.status).toBe(400);
      const reply = JSON.parse(res.text) as { details: string[] };
      expect(reply.details.length).toBeLessThanOrEqual(21);
      expect(res.text.length).toBeLessThan(16 * 1024);
    }
    expect(github.workflowDispatches).toEqual([]);
  });

  it('logs a bounded line for a notification of 10,000 alerts and a 150 KB group key', async () => {
    const lines: string[] = [];
    const logged = await startRelay(configFor(github, 3600), capturingLogger(lines));
    try {
      const firing = await payload('firing-drift.json');
      const alert = {
        status: 'firing',
        labels: { alertname: 'A', retrain: 'true' },
        startsAt: 'x',
      };
      const body = {
        ...firing,
        groupKey: `{}:${'g'.repeat(150_000)}`,
        alerts: Array<object>(10_000).fill(alert),
      };
      const res = await fetch(`${logged.url}/v1/alertmanager`, {
        method: 'POST',
        headers: { authorization: `Bearer ${RELAY_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(202);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.length).toBeLessThan(4096);
    } finally {
      await logged.close();
    }
  });

  it('refuses a wrong or missing token (401) and a wrong content type (415)', async () => {
    const firing = await payload('firing-drift.json');
    expect((await send(firing, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await send(firing, { authorization: '' })).status).toBe(401);
    expect((await send(firing, { 'content-type': 'text/plain' })).status).toBe(415);
    expect(github.workflowDispatches).toEqual([]);
  });

  it('answers 502 when GitHub fails, so Alertmanager retries, and forwards on the retry', async () => {
    github.failDispatches.push(500);
    const firing = await payload('firing-drift.json');
    const failed = await send(firing);
    expect(failed.status).toBe(502);
    expect(failed.body).toEqual({ error: 'GitHub failed the dispatch', github_status: 500 });
    expect((await send(firing)).status).toBe(202);
    expect(github.workflowDispatches).toHaveLength(1);
  });

  it('takes GITHUB_API_URL only as a plain http(s) base URL, and bounds the timeouts', () => {
    const base = {
      RELAY_TOKEN,
      GITHUB_TOKEN,
      GITHUB_REPOSITORY: 'housing-mlops/housing-mlops',
    };
    // Unset or empty means api.github.com; a trailing slash is dropped.
    expect(loadRelayConfig(base).githubApiUrl).toBe('https://api.github.com');
    expect(loadRelayConfig({ ...base, GITHUB_API_URL: '' }).githubApiUrl).toBe(
      'https://api.github.com',
    );
    expect(
      loadRelayConfig({ ...base, GITHUB_API_URL: 'https://ghe.example.com/api/v3/' }).githubApiUrl,
    ).toBe('https://ghe.example.com/api/v3');
    for (const [url, why] of [
      ['api.github.com', /not an absolute URL/],
      ['https://api.github.com:99999', /not an absolute URL/],
      ['/api/v3', /not an absolute URL/],
      ['ftp://api.github.com', /must be http or https, got 'ftp:'/],
      ['file:///etc/passwd', /must be http or https, got 'file:'/],
      ['https://user:secret@api.github.com', /must not contain credentials/],
      ['https://token@api.github.com', /must not contain credentials/],
      ['https://api.github.com/?per_page=1', /must not have a query/],
      ['https://api.github.com/#x', /must not have a fragment/],
    ] as const) {
      const load = () => loadRelayConfig({ ...base, GITHUB_API_URL: url });
      expect(load, url).toThrow(ConfigurationError);
      expect(load, url).toThrow(new RegExp(`\n {2}GITHUB_API_URL: ${why.source}`));
      expect(load, url).not.toThrow(/secret|token@/);
    }
    for (const [name, value] of [
      ['GITHUB_TIMEOUT_MS', '0'],
      ['GITHUB_TIMEOUT_MS', '10s'],
      ['SHUTDOWN_TIMEOUT_MS', '-1'],
      ['SHUTDOWN_TIMEOUT_MS', '600001'],
    ] as const)
      expect(() => loadRelayConfig({ ...base, [name]: value })).toThrow(
        new RegExp(`${name}: must be a whole number`),
      );
  });

  it('refuses at startup a token no header can carry and a GITHUB_REPOSITORY that is not a name, echoing no secret', () => {
    const base = { RELAY_TOKEN, GITHUB_TOKEN, GITHUB_REPOSITORY: 'housing-mlops/housing-mlops' };
    // A GITHUB_TOKEN with a line break loaded fine; every dispatch then failed
    // with fetch's "Headers.append: \"Bearer <the token>\" is an invalid header
    // value", which the relay logged: the secret went to the log. A RELAY_TOKEN
    // like it can never be sent by Alertmanager, so every alert got 401.
    for (const [name, value] of [
      ['GITHUB_TOKEN', 'ghs_SECRET0123456789\nX'],
      ['GITHUB_TOKEN', 'ghs_SECRET 0123456789'],
      ['GITHUB_TOKEN', 'ghs_SECRET\u00e90123456789'],
      ['GITHUB_TOKEN', 'ghs_SECRET\u00000123456789'],
      ['RELAY_TOKEN', 'relay-SECRET-0123456789\r\nX'],
      ['RELAY_TOKEN', 'relay-SECRET-0123456789\t'],
    ] as const) {
      const load = () => loadRelayConfig({ ...base, [name]: value });
      expect(load, JSON.stringify(value)).toThrow(new RegExp(`\n {2}${name}: `));
      expect(load, JSON.stringify(value)).not.toThrow(/SECRET/);
    }
    for (const repository of ['../..', 'a b/c', 'owner/repo?x=1', 'owner/re#po', 'o/.', '\u00f3/r'])
      expect(() => loadRelayConfig({ ...base, GITHUB_REPOSITORY: repository }), repository).toThrow(
        /\n {2}GITHUB_REPOSITORY: must be owner\/repo/,
      );
    expect(loadRelayConfig({ ...base, GITHUB_REPOSITORY: 'my-org.x/repo_1.y' }).repository).toEqual(
      {
        owner: 'my-org.x',
        repo: 'repo_1.y',
      },
    );
  });

  it('dispatches ct.yml on main by default; RETRAIN_WORKFLOW and RETRAIN_REF must be a file name and a branch', () => {
    const base = { RELAY_TOKEN, GITHUB_TOKEN, GITHUB_REPOSITORY: 'housing-mlops/housing-mlops' };
    expect(loadRelayConfig(base)).toMatchObject({ workflow: 'ct.yml', ref: 'main' });
    expect(
      loadRelayConfig({ ...base, RETRAIN_WORKFLOW: 'retrain.yaml', RETRAIN_REF: 'release/v2' }),
    ).toMatchObject({ workflow: 'retrain.yaml', ref: 'release/v2' });
    // The workflow goes into the URL's path: `..`, `/`, `?` would send the call elsewhere.
    for (const workflow of ['../dispatches', 'ct', 'a/ct.yml', 'ct.yml?x=1', 'ct yml.yml'])
      expect(() => loadRelayConfig({ ...base, RETRAIN_WORKFLOW: workflow }), workflow).toThrow(
        /\n {2}RETRAIN_WORKFLOW: must be a workflow's file name \(e\.g\. ct\.yml\)/,
      );
    for (const ref of ['a..b', '/main', 'main/', 'ma in', 'main\n'])
      expect(() => loadRelayConfig({ ...base, RETRAIN_REF: ref }), JSON.stringify(ref)).toThrow(
        /\n {2}RETRAIN_REF: must be a branch name \(e\.g\. main\)/,
      );
  });

  it('reads at most 64 KiB of a *_FILE secret: a larger file (or /dev/zero) is refused, not read whole', async () => {
    // RELAY_TOKEN_FILE=/dev/zero read without end at startup; a 3 MB file was
    // taken whole as the token.
    const dir = await mkdtemp(join(tmpdir(), 'relay-secret-'));
    try {
      const big = join(dir, 'token');
      await writeFile(big, 'a'.repeat(3 * 1024 * 1024));
      const base = { RELAY_TOKEN, GITHUB_TOKEN, GITHUB_REPOSITORY: 'housing-mlops/housing-mlops' };
      // The file instead of the variable: with both set, the relay refuses to guess.
      for (const name of ['RELAY_TOKEN', 'GITHUB_TOKEN'])
        expect(() => loadRelayConfig({ ...base, [name]: '', [`${name}_FILE`]: big }), name).toThrow(
          new RegExp(`\n {2}${name}_FILE: .*longer than 65,536 bytes`),
        );
      const exact = join(dir, 'exact');
      await writeFile(exact, `${'b'.repeat(40)}\n`);
      expect(
        loadRelayConfig({ ...base, GITHUB_TOKEN: '', GITHUB_TOKEN_FILE: exact }).githubToken,
      ).toBe('b'.repeat(40));
      expect(() => loadRelayConfig({ ...base, GITHUB_TOKEN_FILE: exact })).toThrow(
        /\n {2}GITHUB_TOKEN and GITHUB_TOKEN_FILE are both set: set only one/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails fast on bad config, naming each variable', () => {
    expect(() =>
      loadRelayConfig({ RELAY_TOKEN: 'short', GITHUB_REPOSITORY: 'nope', COOLDOWN_SECONDS: '-1' }),
    ).toThrow(
      /RELAY_TOKEN: must be at least 16 characters\n {2}GITHUB_TOKEN \(or GITHUB_TOKEN_FILE\) is required\n {2}GITHUB_REPOSITORY: must be owner\/repo, got 'nope'/,
    );
  });
});

describe.skipIf(missing('prometheus-alertmanager') && missing('alertmanager'))(
  'retrain relay end to end: a real Alertmanager with the committed routing delivers to it',
  () => {
    let dir: string;
    let github: FakeGitHub;
    let relay: RunningRelay;
    let alertmanager: ManagedProcess;
    let amUrl: string;
    let sink: Awaited<ReturnType<typeof startWebhookSink>>;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'relay-e2e-'));
      github = await githubWithCt();
      relay = await startRelay(configFor(github, 3600), silentLogger);
      sink = await startWebhookSink();
      // The committed alertmanager.yml, with the other receivers on a sink and
      // the retrain receiver pointed at this relay, with its bearer token file.
      const tokenFile = join(dir, 'retrain_relay_token');
      await writeFile(tokenFile, RELAY_TOKEN);
      const config = parse(
        loopbackAlertmanagerConfig(await readYamlFile(ALERTMANAGER_CONFIG), {
          sinkUrl: sink.url,
          groupInterval: '1s',
        }),
      ) as {
        route: { routes: { receiver: string; repeat_interval?: string }[] };
        receivers: { name: string; webhook_configs: unknown[] }[];
      };
      const committed = (await readYamlFile(ALERTMANAGER_CONFIG)) as typeof config;
      const retrain = committed.receivers.find((r) => r.name === 'retrain')!;
      const webhook = retrain.webhook_configs[0] as {
        url: string;
        http_config: { authorization: { credentials_file: string } };
      };
      config.receivers = config.receivers.map((r) =>
        r.name === 'retrain'
          ? {
              name: 'retrain',
              webhook_configs: [
                {
                  ...webhook,
                  url: `${relay.url}/v1/alertmanager`,
                  http_config: {
                    authorization: {
                      ...webhook.http_config.authorization,
                      credentials_file: tokenFile,
                    },
                  },
                },
              ],
            }
          : r,
      );
      // Repeat every second, so the relay sees the group again and again.
      for (const route of config.route.routes)
        if (route.receiver === 'retrain') route.repeat_interval = '1s';
      await writeFile(join(dir, 'alertmanager.yml'), stringify(config));
      const am = await startAlertmanager({
        configFile: join(dir, 'alertmanager.yml'),
        dataDir: join(dir, 'data'),
      });
      alertmanager = am.process;
      amUrl = am.url;
    });

    afterAll(async () => {
      await alertmanager?.stop();
      await relay?.close();
      await sink?.close();
      await github?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('dispatches exactly once per cool-down while Alertmanager keeps notifying', async () => {
      const alert = {
        labels: {
          alertname: 'HousingFeatureDrift',
          feature: 'latitude',
          job: 'housing-service',
          severity: 'warning',
          retrain: 'true',
        },
        annotations: { summary: 'Feature latitude has drifted from the training data.' },
      };
      const posted = await fetch(`${amUrl}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([alert]),
      });
      expect(posted.status).toBe(200);

      // Wait until Alertmanager has delivered to the relay at least three times.
      const deliveries = async () => {
        const metrics = await (await fetch(`${amUrl}/metrics`)).text();
        const m = /^alertmanager_notifications_total\{integration="webhook"\} (\d+)/m.exec(metrics);
        return Number(m?.[1] ?? 0);
      };
      const deadline = Date.now() + 30_000;
      while (
        Date.now() < deadline &&
        (github.workflowDispatches.length === 0 || (await deliveries()) < 4)
      )
        await new Promise((r) => setTimeout(r, 250));

      expect(github.workflowDispatches).toHaveLength(1);
      expect(github.workflowDispatches[0]).toMatchObject({
        workflow: 'ct.yml',
        ref: 'main',
        inputs: { reason: 'alertmanager' },
      });
      expect(JSON.parse(github.workflowDispatches[0]!.inputs.alerts as string)).toMatchObject([
        { alertname: 'HousingFeatureDrift', labels: { feature: 'latitude' } },
      ]);
      // The team still heard about it: the route continues past the relay.
      expect(sink.notifications.map((n) => n.path)).toContain('team');
      expect(await deliveries()).toBeGreaterThanOrEqual(4);
    }, 45_000);
  },
);
