import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackAlertmanagerConfig } from '../src/loopback-config.ts';
import { ALERTMANAGER_CONFIG } from '../src/paths.ts';
import { startAlertmanager } from '../src/alertmanager-process.ts';
import type { ManagedProcess } from '../src/processes.ts';
import { readYamlFile } from '@housing/core/yaml-file';
import { startWebhookSink, type WebhookSink } from '../src/webhook-sink.ts';
import { missing, run } from '@housing/test-support/programs';

/** Labels of an alert, and the receivers the committed routing tree must pick for it, in order. */
const ROUTES: [string, Record<string, string>, string[]][] = [
  [
    'the watchdog goes only to its own receiver',
    { alertname: 'HousingWatchdog', severity: 'none' },
    ['watchdog'],
  ],
  [
    'drift asks for a retrain and tells the team',
    {
      alertname: 'HousingFeatureDrift',
      severity: 'warning',
      retrain: 'true',
      feature: 'median_income',
    },
    ['retrain', 'team'],
  ],
  [
    'training quality asks for a retrain and tells the team',
    { alertname: 'HousingTrainingQualityBelowFloor', severity: 'warning', retrain: 'true' },
    ['retrain', 'team'],
  ],
  [
    'live RMSE above the card asks for a retrain and tells the team',
    {
      alertname: 'HousingModelLiveRmseHigh',
      severity: 'warning',
      retrain: 'true',
      job: 'housing-service',
      model_version: 'v1',
    },
    ['retrain', 'team'],
  ],
  [
    'a prediction log that drops rows tells the team, and asks for no retrain',
    {
      alertname: 'HousingPredictionLogDropping',
      severity: 'warning',
      job: 'housing-service',
      reason: 'write_failed',
    },
    ['team'],
  ],
  [
    'a down service pages',
    { alertname: 'HousingServiceDown', severity: 'critical', job: 'housing-service' },
    ['pager'],
  ],
  [
    'a fast SLO burn pages',
    {
      alertname: 'HousingPredictAvailabilityBurnFast',
      severity: 'critical',
      slo: 'predict-availability',
    },
    ['pager'],
  ],
  [
    'a slow SLO burn goes to the team',
    { alertname: 'HousingPredictLatencyBurnSlow', severity: 'warning', slo: 'predict-latency' },
    ['team'],
  ],
  [
    'an unknown severity falls back to the team',
    { alertname: 'Other', severity: 'info' },
    ['team'],
  ],
];

const asArgs = (labels: Record<string, string>) =>
  Object.entries(labels).map(([k, v]) => `${k}=${v}`);

describe.skipIf(missing('amtool'))('amtool on the committed alertmanager.yml', () => {
  it('passes amtool check-config', () => {
    const { status, output } = run('amtool', ['check-config', ALERTMANAGER_CONFIG]);
    expect(output).toContain('SUCCESS');
    expect(output).toMatch(/4 receivers/);
    expect(status, output).toBe(0);
  });

  it.each(ROUTES)('routes: %s', (_name, labels, receivers) => {
    const { status, output } = run('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${ALERTMANAGER_CONFIG}`,
      `--verify.receivers=${receivers.join(',')}`,
      ...asArgs(labels),
    ]);
    expect(status, output).toBe(0);
    expect(output.split('\n')[0]).toBe(receivers.join(','));
  });

  it('routes, negative: a warning never pages, even one that asks for a retrain', () => {
    const { status, output } = run('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${ALERTMANAGER_CONFIG}`,
      '--verify.receivers=pager',
      ...asArgs({ alertname: 'HousingFeatureDrift', severity: 'warning', retrain: 'true' }),
    ]);
    expect(output).toContain('Expected receivers did not match resolved receivers');
    expect(status).toBe(1);
  });
});

interface ApiAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

describe.skipIf(missing('prometheus-alertmanager') && missing('alertmanager'))(
  'inhibition in a real Alertmanager with the committed rules',
  () => {
    let dir: string;
    let sink: WebhookSink;
    let alertmanager: ManagedProcess;
    let url: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'am-inhibit-'));
      sink = await startWebhookSink();
      await writeFile(
        join(dir, 'alertmanager.yml'),
        loopbackAlertmanagerConfig(await readYamlFile(ALERTMANAGER_CONFIG), {
          sinkUrl: sink.url,
          groupInterval: '1s',
        }),
      );
      const am = await startAlertmanager({
        configFile: join(dir, 'alertmanager.yml'),
        dataDir: join(dir, 'data'),
      });
      alertmanager = am.process;
      url = am.url;
    });

    afterAll(async () => {
      await alertmanager?.stop();
      await sink?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('a down target silences its job, and a fast burn silences the slow burn of its SLO only', async () => {
      const job = { job: 'housing-service' };
      const alerts = [
        { alertname: 'HousingServiceDown', severity: 'critical', ...job, instance: 'a:8080' },
        { alertname: 'HousingServiceHighCpu', severity: 'warning', ...job, instance: 'a:8080' },
        { alertname: 'HousingWatchdog', severity: 'none' },
        {
          alertname: 'HousingPredictLatencyBurnFast',
          severity: 'critical',
          slo: 'predict-latency',
          job: 'other',
        },
        {
          alertname: 'HousingPredictLatencyBurnSlow',
          severity: 'warning',
          slo: 'predict-latency',
          job: 'other',
        },
        {
          alertname: 'HousingPredictAvailabilityBurnSlow',
          severity: 'warning',
          slo: 'predict-availability',
          job: 'other',
        },
      ];
      const posted = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          alerts.map((labels) => ({ labels, annotations: { summary: 'test' } })),
        ),
      });
      expect(posted.status).toBe(200);

      const states = new Map<string, string>();
      // Alertmanager marks alerts 'unprocessed' until its inhibitor has looked at them.
      const settled = () =>
        states.size === alerts.length && ![...states.values()].includes('unprocessed');
      for (let tries = 0; tries < 50 && !settled(); tries++) {
        await new Promise((r) => setTimeout(r, 100));
        const got = (await (await fetch(`${url}/api/v2/alerts`)).json()) as ApiAlert[];
        for (const a of got) states.set(a.labels.alertname!, a.status.state);
      }
      expect(Object.fromEntries(states)).toEqual({
        HousingServiceDown: 'active',
        HousingServiceHighCpu: 'suppressed',
        HousingWatchdog: 'active',
        HousingPredictLatencyBurnFast: 'active',
        HousingPredictLatencyBurnSlow: 'suppressed',
        HousingPredictAvailabilityBurnSlow: 'active',
      });
    });
  },
);
