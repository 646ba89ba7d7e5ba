import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage } from '@housing/core/errors';
import {
  buildContext,
  cleanUp,
  containerLogs,
  docker,
  engineProblem,
  skipWithoutEngine,
} from '@housing/test-support/docker';
import { removeDir, ROOT, trainModel } from '@housing/test-support/service';

const SUITE = 'the compose stack, up for real with Compose v2';
const PROJECT = `housing-lane-${process.pid}`;
const SERVICE_IMAGE = `housing-service:compose-${process.pid}`;
const RELAY_IMAGE = `housing-retrain-relay:compose-${process.pid}`;
// Grafana has no Debian package and no image can be pulled here: left out.
const SERVICES = [
  'postgres',
  'service',
  'prometheus',
  'alertmanager',
  'retrain-relay',
  'node-exporter',
];
// The values .env would hold; compose hands each to its container as /run/secrets/<name>.
const SECRETS: Record<string, string> = {
  GRAFANA_ADMIN_PASSWORD: 'lane-grafana-password',
  SMTP_PASSWORD: 'lane-smtp-password',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.invalid/lane',
  PAGER_TOKEN: 'lane-pager-token-0123456789',
  WATCHDOG_TOKEN: 'lane-watchdog-token-0123456789',
  RETRAIN_RELAY_TOKEN: 'lane-relay-token-0123456789abcdef',
  GITHUB_DISPATCH_TOKEN: 'ghs_laneDispatchToken0123456789',
  POSTGRES_PASSWORD: 'lane0postgres0password0123456789',
  DATABASE_URL: 'postgres://housing:lane0postgres0password0123456789@postgres:5432/housing',
  FEEDBACK_TOKEN: 'lane-feedback-token-0123456789',
};
const eventually = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 120_000) => {
  const deadline = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const found = await probe();
      if (found !== undefined) return found;
    } catch (error) {
      last = errorMessage(error);
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${ms} ms${last ? ` (${last})` : ''}`);
    await new Promise((done) => setTimeout(done, 1000));
  }
};

describe.skipIf(skipWithoutEngine(SUITE))(SUITE, () => {
  let context = '';
  let modelDir = '';
  const compose = (args: string[], timeoutMs?: number) =>
    docker(
      [
        'compose',
        '--project-name',
        PROJECT,
        '--project-directory',
        context,
        '--file',
        join(context, 'docker-compose.yml'),
        '--file',
        join(context, '.ci/containers/compose.lane.yml'),
        ...args,
      ],
      timeoutMs,
    );
  const containerOf = async (service: string) => compose(['ps', '--quiet', service]);
  const url = async (service: string, port: number) =>
    `http://${(await compose(['port', service, String(port)])).split('\n')[0]}`;
  const getJson = async <T>(address: string): Promise<T> => {
    const res = await fetch(address);
    if (!res.ok) throw new Error(`${address}: ${res.status}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    const problem = engineProblem();
    if (problem) throw new Error(problem);
    Object.assign(process.env, SECRETS, {
      SERVICE_IMAGE,
      RELAY_IMAGE,
      GITHUB_REPOSITORY: 'housing-mlops/housing-mlops',
      ADMIN_TOKEN: 'lane-admin-token-0123456789',
    });
    modelDir = await trainModel();
    context = await buildContext({
      'models/production/model.onnx': join(modelDir, 'model.onnx'),
      'models/production/model.card.json': join(modelDir, 'model.card.json'),
    });
    // Built from scratch, never from cache, one after the other.
    await compose(['build', '--no-cache', 'service'], 15 * 60_000);
    await compose(['build', '--no-cache', 'retrain-relay'], 15 * 60_000);
    await compose(['up', '--detach', '--wait', ...SERVICES], 5 * 60_000);
  }, 30 * 60_000);
  afterAll(async () => {
    if (context) await compose(['down', '--volumes', '--remove-orphans']).catch(() => undefined);
    await cleanUp({ images: [SERVICE_IMAGE, RELAY_IMAGE], dirs: [context] });
    if (modelDir) await removeDir(modelDir);
  }, 120_000);

  it('brings up PostgreSQL, the service, Prometheus, Alertmanager, the relay and node-exporter, all healthy', async () => {
    for (const service of SERVICES) {
      const id = await containerOf(service);
      expect(await docker(['inspect', '--format', '{{.State.Health.Status}}', id]), service).toBe(
        'healthy',
      );
    }
  });

  it('Prometheus scrapes the service by its compose name', async () => {
    const prometheus = await url('prometheus', 9090);
    type Targets = {
      data: { activeTargets: { scrapeUrl: string; health: string; labels: { job: string } }[] };
    };
    const target = await eventually('the service target up', async () => {
      const { data } = await getJson<Targets>(`${prometheus}/api/v1/targets`);
      return data.activeTargets.find(
        (t) => t.labels.job === 'housing-service' && t.health === 'up',
      );
    });
    expect(target.scrapeUrl).toBe('http://service:8080/metrics');
    type Query = { data: { result: { value: [number, string] }[] } };
    const up = await getJson<Query>(`${prometheus}/api/v1/query?query=up{job="housing-service"}`);
    expect(up.data.result[0]?.value[1]).toBe('1');
  }, 150_000);

  it('loads every rule group the repository holds, all healthy', async () => {
    const dir = join(ROOT, 'monitoring/prometheus/rules');
    const names: string[] = [];
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.yml')))
      for (const group of (
        parse(await readFile(join(dir, file), 'utf8')) as { groups: { name: string }[] }
      ).groups)
        names.push(group.name);
    type Rules = { data: { groups: { name: string; rules: { health: string }[] }[] } };
    const { data } = await getJson<Rules>(`${await url('prometheus', 9090)}/api/v1/rules`);
    expect(data.groups.map((g) => g.name).sort()).toEqual(names.sort());
    expect(data.groups.flatMap((g) => g.rules).every((r) => r.health !== 'err')).toBe(true);
  });

  it("Prometheus's watchdog alert reaches Alertmanager", async () => {
    const alertmanager = await url('alertmanager', 9093);
    const watchdog = await eventually('HousingWatchdog in Alertmanager', async () =>
      (await getJson<{ labels: { alertname: string } }[]>(`${alertmanager}/api/v2/alerts`)).find(
        (a) => a.labels.alertname === 'HousingWatchdog',
      ),
    );
    expect(watchdog.labels.alertname).toBe('HousingWatchdog');
  }, 150_000);

  it('Alertmanager delivers a retrain alert to the relay, with the token from its secret file', async () => {
    const alertmanager = await url('alertmanager', 9093);
    const posted = await fetch(`${alertmanager}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { labels: { alertname: 'HousingLaneProbe', job: 'housing-service', retrain: 'true' } },
      ]),
    });
    expect(posted.status).toBe(200);
    // The relay authenticated Alertmanager (else it logs nothing but a 401)
    // and tried GitHub, which cannot be reached from here: "dispatch failed".
    const relay = await containerOf('retrain-relay');
    const line = await eventually('the probe in the relay log', async () =>
      (await containerLogs(relay)).split('\n').find((l) => l.includes('HousingLaneProbe')),
    );
    expect((JSON.parse(line) as { msg: string }).msg).toMatch(/dispatch/);
  }, 150_000);

  it('hands secrets to the containers as files under /run/secrets', async () => {
    const read = async (service: string, secret: string) =>
      docker(['exec', await containerOf(service), 'cat', `/run/secrets/${secret}`]);
    expect(await read('alertmanager', 'pager_token')).toBe(SECRETS.PAGER_TOKEN);
    expect(await read('alertmanager', 'retrain_relay_token')).toBe(SECRETS.RETRAIN_RELAY_TOKEN);
    expect(await read('retrain-relay', 'github_dispatch_token')).toBe(
      SECRETS.GITHUB_DISPATCH_TOKEN,
    );
    expect(await read('service', 'admin_token')).toBe(process.env.ADMIN_TOKEN);
    // The service reads it from there: /admin/reload takes it, and nothing else.
    const service = await url('service', 8080);
    const reload = (token: string) =>
      fetch(`${service}/admin/reload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      }).then((res) => res.status);
    expect(await reload(process.env.ADMIN_TOKEN!)).toBe(200);
    expect(await reload('lane-wrong-token-0123456789')).toBe(401);
  });

  it('runs PostgreSQL with the user, database and password of its secrets, on its named volume, and the service is ready beside it', async () => {
    const postgres = await containerOf('postgres');
    // The URL the service is handed, used from inside the compose network:
    // password authentication over TCP to the user and database compose names.
    const psql = (url: string) =>
      docker([
        'exec',
        postgres,
        'psql',
        url,
        '--no-psqlrc',
        '-tAc',
        "select current_user || '@' || current_database()",
      ]);
    expect(await psql(SECRETS.DATABASE_URL!)).toBe('housing@housing');
    await expect(
      psql(SECRETS.DATABASE_URL!.replace('lane0postgres', 'wrong0postgres')),
    ).rejects.toThrow(/password authentication failed/);
    const mounts = await docker([
      'inspect',
      '--format',
      '{{range .Mounts}}{{.Name}}={{.Destination}} {{end}}',
      postgres,
    ]);
    expect(mounts.split(' ')).toContain(`${PROJECT}_postgres-data=/var/lib/postgresql/data`);
    const read = async (secret: string) =>
      docker(['exec', await containerOf('service'), 'cat', `/run/secrets/${secret}`]);
    expect(await read('database_url')).toBe(SECRETS.DATABASE_URL);
    expect(await read('feedback_token')).toBe(SECRETS.FEEDBACK_TOKEN);
    expect((await fetch(`${await url('service', 8080)}/readyz`)).status).toBe(200);
  });

  it("keeps Prometheus's named volume across down and up", async () => {
    const marker = `written before down by ${PROJECT}`;
    await docker([
      'exec',
      await containerOf('prometheus'),
      'sh',
      '-c',
      `echo '${marker}' > /prometheus/lane-marker`,
    ]);
    await compose(['down'], 120_000);
    expect(await containerOf('prometheus')).toBe('');
    await compose(['up', '--detach', '--wait', 'prometheus'], 5 * 60_000);
    expect(
      await docker(['exec', await containerOf('prometheus'), 'cat', '/prometheus/lane-marker']),
    ).toBe(marker);
  }, 400_000);
});
