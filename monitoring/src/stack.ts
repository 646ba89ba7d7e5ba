import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startAlertmanager } from './alertmanager-process.ts';
import {
  loopbackAlertmanagerConfig,
  loopbackPrometheusConfig,
  withForDuration,
  type LoopbackPorts,
} from './loopback-config.ts';
import { ALERTMANAGER_CONFIG, PROMETHEUS_CONFIG, ROOT } from './paths.ts';
import {
  freePort,
  requireBinary,
  startProcess,
  waitForHttp,
  type ManagedProcess,
} from './processes.ts';
import { loadRules } from './rules.ts';
import { readYamlFile } from '@housing/core/yaml-file';
import { startWebhookSink, type Notification, type WebhookSink } from './webhook-sink.ts';

/** How to run the loopback stack. */
export interface StackOptions {
  /** The model folder the service loads. */
  modelDir: string;
  /** Prometheus's scrape and evaluation interval, e.g. '5s'. */
  interval: string;
  /** Alertmanager's group_wait and group_interval on every route, e.g. '5s'. */
  groupInterval: string;
  /** If set, every rule's `for:` becomes this (the live test's '1s'). */
  forDuration?: string;
  /** Extra environment for the service (drift window, log level...). */
  serviceEnv?: Record<string, string>;
  /** Called for each notification Alertmanager delivers to the sink. */
  onNotification?: (n: Notification) => void;
  /** Aborting it during startup stops what has started, removes the folder and rejects. */
  signal?: AbortSignal;
}

/** The running stack: the real service, Prometheus and Alertmanager on loopback. */
export interface Stack {
  ports: LoopbackPorts;
  urls: {
    service: string;
    prometheus: string;
    /** Prometheus's alerts page: `/alerts`, or `/classic/alerts` on builds with only the classic UI. */
    prometheusAlerts: string;
    alertmanager: string;
    sink: string;
  };
  /** The temporary folder (configs and storage) that stop() removes. */
  dir: string;
  sink: WebhookSink;
  /** Jobs of prometheus.yml with nothing local to scrape. */
  skippedJobs: string[];
  /** Starts the service (again) on its port, with extra environment. */
  startService(env?: Record<string, string>): Promise<void>;
  /** Stops the service with `signal` (SIGKILL to simulate a crash). */
  stopService(signal?: NodeJS.Signals): Promise<void>;
  /** Stops every process the stack started, by PID, and removes its temporary folder. */
  stop(): Promise<void>;
  /**
   * Resolves with the first process that ended without being asked to (by
   * stop() or stopService()): the stack no longer works as a whole.
   */
  died: Promise<ManagedProcess>;
}

/** The first of `paths` under `base` that answers 200, for a URL a user can open. */
async function firstPageThatOpens(base: string, paths: string[]): Promise<string> {
  for (const path of paths) {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    if (res.ok) return `${base}${path}`;
  }
  throw new Error(`none of ${paths.join(', ')} answers 200 on ${base}`);
}

/** Waits until Prometheus has scraped every target it has at least once. */
async function waitForFirstScrape(url: string, prometheus: ManagedProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/api/v1/targets?state=active`);
    const body = (await res.json()) as { data?: { activeTargets?: { health: string }[] } };
    const targets = body.data?.activeTargets ?? [];
    if (targets.length > 0 && targets.every((t) => t.health !== 'unknown')) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`prometheus scraped nothing within 30 s:\n${prometheus.output()}`);
}

/** Starts the service, Prometheus and Alertmanager with the repository's own config. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const prometheusBin = requireBinary(
    ['prometheus'],
    'apt-get install prometheus (what .ci/run does)',
  );
  const dir = await mkdtemp(join(tmpdir(), 'housing-stack-'));
  const started: ManagedProcess[] = [];
  let service: ManagedProcess | undefined;
  let sink: WebhookSink | undefined;
  let reportDeath: (p: ManagedProcess) => void = () => {};
  const died = new Promise<ManagedProcess>((resolve) => (reportDeath = resolve));
  const watch = (p: ManagedProcess) => {
    void p.exited.then(() => {
      if (!p.stopRequested) reportDeath(p);
    });
    return p;
  };

  // Safe to call again (and while starting): it stops whatever has started by then.
  const stopAll = async () => {
    await Promise.all([service, ...started].map((p) => p?.stop() ?? Promise.resolve()));
    await sink?.close();
    await rm(dir, { recursive: true, force: true });
  };
  // A stop during startup kills what runs, so the step waiting on it fails at once.
  const onAbort = () => void stopAll();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const checkpoint = () => options.signal?.throwIfAborted();

  try {
    sink = await startWebhookSink(options.onNotification);
    const ports: LoopbackPorts = {
      service: await freePort(),
      prometheus: await freePort(),
      alertmanager: await freePort(),
    };
    const urls = {
      service: `http://127.0.0.1:${ports.service}`,
      prometheus: `http://127.0.0.1:${ports.prometheus}`,
      prometheusAlerts: '',
      alertmanager: `http://127.0.0.1:${ports.alertmanager}`,
      sink: sink.url,
    };

    // Rule files: the committed ones, or copies with a shorter `for:`.
    const rules = await loadRules();
    let ruleFiles = rules.files;
    if (options.forDuration !== undefined) {
      await mkdir(join(dir, 'rules'));
      ruleFiles = [];
      for (const file of rules.files) {
        const copy = join(dir, 'rules', basename(file));
        await writeFile(copy, withForDuration(await readYamlFile(file), options.forDuration));
        ruleFiles.push(copy);
      }
    }
    const prometheusConfig = loopbackPrometheusConfig(await readYamlFile(PROMETHEUS_CONFIG), {
      ports,
      ruleFiles,
      interval: options.interval,
    });
    await writeFile(join(dir, 'prometheus.yml'), prometheusConfig.yaml);
    await writeFile(
      join(dir, 'alertmanager.yml'),
      loopbackAlertmanagerConfig(await readYamlFile(ALERTMANAGER_CONFIG), {
        sinkUrl: sink.url,
        groupInterval: options.groupInterval,
      }),
    );

    const alertmanager = await startAlertmanager({
      configFile: join(dir, 'alertmanager.yml'),
      dataDir: join(dir, 'alertmanager-data'),
      port: ports.alertmanager,
    });
    started.push(watch(alertmanager.process));
    checkpoint();

    const startService = async (env: Record<string, string> = {}) => {
      service = watch(
        startProcess('service', process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
          cwd: ROOT,
          env: {
            ...process.env,
            HOST: '127.0.0.1',
            PORT: String(ports.service),
            MODEL_DIR: options.modelDir,
            LOG_LEVEL: 'warn',
            ...options.serviceEnv,
            ...env,
          },
        }),
      );
      await waitForHttp(`${urls.service}/healthz`, service);
    };
    await startService();
    checkpoint();

    const prometheus = startProcess('prometheus', prometheusBin, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      `--rules.alert.resend-delay=${options.interval}`,
    ]);
    started.push(watch(prometheus));
    await waitForHttp(`${urls.prometheus}/-/ready`, prometheus);
    checkpoint();
    // Prometheus applies discovered targets at most every 5 s, so "ready" comes
    // before the first scrape; traffic sent before it would never be counted.
    await waitForFirstScrape(urls.prometheus, prometheus);
    checkpoint();
    // Debian's Prometheus 2.42 has only the classic UI: /alerts is 404 there.
    urls.prometheusAlerts = await firstPageThatOpens(urls.prometheus, [
      '/alerts',
      '/classic/alerts',
    ]);
    checkpoint();

    return {
      ports,
      urls,
      sink,
      skippedJobs: prometheusConfig.skippedJobs,
      startService,
      async stopService(signal = 'SIGTERM') {
        await service?.stop(signal);
        service = undefined;
      },
      stop: stopAll,
      died,
      dir,
    };
  } catch (error) {
    await stopAll();
    throw options.signal?.aborted ? options.signal.reason : error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
