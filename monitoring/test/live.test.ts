/**
 * The monitoring, end to end, against real servers on loopback: the real
 * service (with a model the pipeline trains), Prometheus and Alertmanager
 * with the committed config, and a webhook sink standing in for every
 * receiver. Prometheus scrapes and evaluates every second, and every rule's
 * `for:` is shortened to 1s: the promtool unit tests prove the durations,
 * this proves the wiring (metric names, labels, routes, receivers).
 *
 * The steps run in order and build on each other, like an incident would.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, housingRows, post, trainModel } from '@housing/test-support/service';
import { concreteQuery, dashboardQueries, loadDashboards, metricNames } from '../src/dashboards.ts';
import { loadRules } from '../src/rules.ts';
import { startStack, type Stack } from '../src/stack.ts';
import type { Notification } from '../src/webhook-sink.ts';
import { missing } from '@housing/test-support/programs';

type Row = Record<string, number | string | null>;

const STEP_MS = 45_000;
/** Series that exist only once ground truth arrives, or the prediction log writes. */
const WITHOUT_FEEDBACK = /\b(model_feedback_\w+|prediction_log_\w+)\b/;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(
  missing('prometheus') || (missing('prometheus-alertmanager') && missing('alertmanager')),
)('live stack: service, Prometheus, Alertmanager and a webhook sink on loopback', () => {
  let stack: Stack;
  let modelDir: string;
  let emptyModelDir: string;
  let rows: Row[];

  /** Prometheus's instant query result for `expr`. */
  const query = async (
    expr: string,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const url = `${stack.urls.prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const body = (await (await fetch(url)).json()) as {
      status: string;
      error?: string;
      data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data?.result ?? [];
  };

  /** The first notification to `receiver` with an alert matching name and status. */
  const notified = (receiver: string, alertname: string, status: 'firing' | 'resolved') =>
    until(`${status} ${alertname} at receiver ${receiver}`, () =>
      stack.sink.notifications.find(
        (n) =>
          n.path === receiver &&
          n.payload.alerts.some((a) => a.labels.alertname === alertname && a.status === status),
      ),
    );
  const receiversOf = (alertname: string) =>
    new Set(
      stack.sink.notifications
        .filter((n: Notification) => n.payload.alerts.some((a) => a.labels.alertname === alertname))
        .map((n) => n.path),
    );

  /** Single-row predictions spread over `seconds`, so that scrapes see the counters grow. */
  const drive = async (sample: Row[], seconds: number, expected: number) => {
    const perSlice = Math.ceil(sample.length / (seconds * 4));
    for (let i = 0; i < sample.length; i += perSlice) {
      const answers = await Promise.all(
        sample.slice(i, i + perSlice).map((row) => post(`${stack.urls.service}/v1/predict`, row)),
      );
      for (const a of answers) expect(a.status, a.body.error).toBe(expected);
      await sleep(250);
    }
  };

  beforeAll(async () => {
    modelDir = await trainModel();
    emptyModelDir = await mkdtemp(join(tmpdir(), 'live-no-model-'));
    rows = (await housingRows()).rows.map(({ median_house_value: _, ...features }) => features);
    stack = await startStack({
      modelDir,
      interval: '1s',
      groupInterval: '1s',
      forDuration: '1s',
      serviceEnv: { ADMIN_TOKEN, DRIFT_WINDOW_ROWS: '1000', DRIFT_INTERVAL_MS: '250' },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    for (const dir of [modelDir, emptyModelDir])
      if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    'scrapes every target, and every recording rule and dashboard query returns data (or, before any ground truth, no series and never NaN)',
    async () => {
      const calm = rows.filter((_, i) => i % 10 === 3);
      expect(
        (await post(`${stack.urls.service}/v1/predict/batch`, { instances: calm.slice(0, 1000) }))
          .status,
      ).toBe(200);
      await drive(calm.slice(1000, 1400), 4, 200);
      for (let i = 0; i < 5; i++) await fetch(`${stack.urls.service}/no/such/path/${i}`);
      const reload = await post(
        `${stack.urls.service}/admin/reload`,
        {},
        { authorization: `Bearer ${ADMIN_TOKEN}` },
      );
      expect(reload.status).toBe(200);

      const up = await until('every target up', async () => {
        const result = await query('up');
        return result.length === 3 && result.every((r) => r.value[1] === '1') ? result : undefined;
      });
      expect(up.map((r) => r.metric.job).sort()).toEqual([
        'alertmanager',
        'housing-service',
        'prometheus',
      ]);

      // Live accuracy needs ground truth, which this step does not post, and
      // the prediction log's series are the log's own: those rules and panels
      // may have no series here, but never a NaN or Inf (every division they
      // make is guarded). Everything else must return data.
      const rules = await loadRules();
      const optionalRecords = new Set(
        rules.records.filter((r) => WITHOUT_FEEDBACK.test(r.expr)).map((r) => r.record),
      );
      const optional = (expr: string) =>
        WITHOUT_FEEDBACK.test(expr) || metricNames(expr).some((n) => optionalRecords.has(n));
      const queries = (await loadDashboards()).flatMap(dashboardQueries);
      const checked = [
        ...rules.records.map((r) => ({ name: r.record, expr: r.record })),
        ...queries.map((q) => ({
          name: `${q.dashboard} "${q.panel}" ${q.refId}`,
          expr: concreteQuery(q.expr, '1m'),
        })),
      ];
      expect(checked.filter((c) => optional(c.expr)).length).toBeGreaterThanOrEqual(10);
      const withoutData = async () => {
        const names: string[] = [];
        for (const c of checked) {
          const result = await query(c.expr);
          if (optional(c.expr)) {
            if (result.some((r) => !Number.isFinite(Number(r.value[1]))))
              names.push(`${c.name}: ${JSON.stringify(result)}`);
          } else if (result.length === 0) names.push(c.name);
        }
        return names;
      };
      // Rate windows need two scrapes, and GC metrics a collection: allow time.
      let empty = await withoutData();
      for (const deadline = Date.now() + 30_000; empty.length > 0 && Date.now() < deadline;) {
        await sleep(500);
        empty = await withoutData();
      }
      expect(empty).toEqual([]);
      // No feedback yet: no live RMSE at all, rather than a 0/0.
      expect(await query('job_model_version:model_live_rmse:ratio_increase1h')).toEqual([]);
      // Training-like traffic raised no drift alert.
      expect(receiversOf('HousingFeatureDrift').size).toBe(0);
    },
    STEP_MS,
  );

  it('delivers the watchdog to its own receiver, as a version 4 webhook', async () => {
    const n = await notified('watchdog', 'HousingWatchdog', 'firing');
    expect(n.payload.version).toBe('4');
    expect(n.payload.receiver).toBe('watchdog');
    expect(receiversOf('HousingWatchdog')).toEqual(new Set(['watchdog']));
  });

  it(
    'sends drifted inputs to the team and the retrain relay, never the pager',
    async () => {
      const shifted = rows
        .filter((_, i) => i % 10 === 5)
        .slice(0, 1000)
        .map((r) => ({ ...r, median_income: Math.min(15, (r.median_income as number) * 2) }));
      expect(
        (await post(`${stack.urls.service}/v1/predict/batch`, { instances: shifted })).status,
      ).toBe(200);

      const team = await notified('team', 'HousingFeatureDrift', 'firing');
      const drifted = team.payload.alerts.filter(
        (a) => a.labels.alertname === 'HousingFeatureDrift',
      );
      expect(drifted.map((a) => a.labels.feature)).toContain('median_income');
      expect(drifted[0]?.annotations.runbook_url).toMatch(/RUNBOOK\.md#housingfeaturedrift$/);
      await notified('retrain', 'HousingFeatureDrift', 'firing');
      expect(receiversOf('HousingFeatureDrift').has('pager')).toBe(false);
    },
    STEP_MS,
  );

  it(
    'pages when the service is killed',
    async () => {
      await stack.stopService('SIGKILL');
      const n = await notified('pager', 'HousingServiceDown', 'firing');
      expect(n.payload.commonLabels.job).toBe('housing-service');
      expect(receiversOf('HousingServiceDown')).toEqual(new Set(['pager']));
    },
    STEP_MS,
  );

  it(
    'resolves the page when it is back, and pages when it answers 5xx with no model',
    async () => {
      await stack.startService({ MODEL_DIR: emptyModelDir });
      await notified('pager', 'HousingServiceDown', 'resolved');
      await drive(rows.slice(0, 600), 6, 503);
      await notified('pager', 'HousingModelNotLoaded', 'firing');
      await notified('pager', 'HousingPredictAvailabilityBurnFast', 'firing');
    },
    STEP_MS,
  );

  it(
    'resolves the no-model page after a good model is reloaded',
    async () => {
      await cp(modelDir, emptyModelDir, { recursive: true });
      const reload = await post(
        `${stack.urls.service}/admin/reload`,
        {},
        { authorization: `Bearer ${ADMIN_TOKEN}` },
      );
      expect(reload.status).toBe(200);
      await notified('pager', 'HousingModelNotLoaded', 'resolved');
    },
    STEP_MS,
  );
});
