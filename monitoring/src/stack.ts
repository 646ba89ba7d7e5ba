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

/**
 * What the stack has started so far, so that stopping it (finished or halfway) stops each
 * process by PID; `died` resolves with the first that ended without being asked to.
 */
class StackProcesses {
  readonly died: Promise<ManagedProcess>;
  service: ManagedProcess | undefined;
  sink: WebhookSink | undefined;
  private readonly started: ManagedProcess[] = [];
  private reportDeath: (p: ManagedProcess) => void = () => {};

  constructor(private readonly dir: string) {
    this.died = new Promise<ManagedProcess>((resolve) => (this.reportDeath = resolve));
  }

  /** Watches `p` for an unrequested exit; `stopAll` stops it unless it is the service. */
  watch(p: ManagedProcess, { keep = true } = {}): ManagedProcess {
    void p.exited.then(() => {
      if (!p.stopRequested) this.reportDeath(p);
    });
    if (keep) this.started.push(p);
    return p;
  }

  /** Safe to call again (and while starting): it stops whatever has started by then. */
  readonly stopAll = async (): Promise<void> => {
    await Promise.all([this.service, ...this.started].map((p) => p?.stop() ?? Promise.resolve()));
    await this.sink?.close();
    await rm(this.dir, { recursive: true, force: true });
  };
}

/** The rule files Prometheus loads: the committed ones, or copies in `dir` with a shorter `for:`. */
async function ruleFilesFor(dir: string, forDuration: string | undefined): Promise<string[]> {
  const rules = await loadRules();
  if (forDuration === undefined) return rules.files;
  await mkdir(join(dir, 'rules'));
  const copies: string[] = [];
  for (const file of rules.files) {
    const copy = join(dir, 'rules', basename(file));
    await writeFile(copy, withForDuration(await readYamlFile(file), forDuration));
    copies.push(copy);
  }
  return copies;
}

/**
 * Writes `prometheus.yml` and `alertmanager.yml` into `dir`: the repository's own, pointed
 * at the loopback ports and the sink. Returns the jobs with nothing local to scrape.
 */
async function writeLoopbackConfigs(
  dir: string,
  options: StackOptions,
  ports: LoopbackPorts,
  sinkUrl: string,
): Promise<string[]> {
  const prometheusConfig = loopbackPrometheusConfig(await readYamlFile(PROMETHEUS_CONFIG), {
    ports,
    ruleFiles: await ruleFilesFor(dir, options.forDuration),
    interval: options.interval,
  });
  await writeFile(join(dir, 'prometheus.yml'), prometheusConfig.yaml);
  await writeFile(
    join(dir, 'alertmanager.yml'),
    loopbackAlertmanagerConfig(await readYamlFile(ALERTMANAGER_CONFIG), {
      sinkUrl,
      groupInterval: options.groupInterval,
    }),
  );
  return prometheusConfig.skippedJobs;
}

/**
 * Starts Prometheus on the config in `dir` and waits until it has scraped every target
 * once; returns the URL of its alerts page. `checkpoint` throws once startup is aborted.
 */
async function startPrometheus(
  bin: string,
  dir: string,
  { port, interval }: { port: number; interval: string },
  processes: StackProcesses,
  checkpoint: () => void,
): Promise<string> {
  const url = `http://127.0.0.1:${port}`;
  const prometheus = processes.watch(
    startProcess('prometheus', bin, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--rules.alert.resend-delay=${interval}`,
    ]),
  );
  await waitForHttp(`${url}/-/ready`, prometheus);
  checkpoint();
  // Prometheus applies discovered targets at most every 5 s, so "ready" comes
  // before the first scrape; traffic sent before it would never be counted.
  await waitForFirstScrape(url, prometheus);
  checkpoint();
  // Debian's Prometheus 2.42 has only the classic UI: /alerts is 404 there.
  return firstPageThatOpens(url, ['/alerts', '/classic/alerts']);
}

/**
 * Starts (or restarts) the real service on `port` as a child process with the stack's
 * environment plus `env`, and waits until it answers /healthz.
 */
function serviceStarter(
  port: number,
  options: StackOptions,
  processes: StackProcesses,
): (env?: Record<string, string>) => Promise<void> {
  return async (env = {}) => {
    const service = (processes.service = processes.watch(
      startProcess('service', process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          HOST: '127.0.0.1',
          PORT: String(port),
          MODEL_DIR: options.modelDir,
          LOG_LEVEL: 'warn',
          ...options.serviceEnv,
          ...env,
        },
      }),
      { keep: false },
    ));
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, service);
  };
}

/** Starts the service, Prometheus and Alertmanager with the repository's own config. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const prometheusBin = requireBinary(
    ['prometheus'],
    'apt-get install prometheus (what .ci/run does)',
  );
  const dir = await mkdtemp(join(tmpdir(), 'housing-stack-'));
  const processes = new StackProcesses(dir);
  const { stopAll } = processes;
  // A stop during startup kills what runs, so the step waiting on it fails at once.
  const onAbort = () => void stopAll();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const checkpoint = () => options.signal?.throwIfAborted();

  try {
    const sink = (processes.sink = await startWebhookSink(options.onNotification));
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
    const skippedJobs = await writeLoopbackConfigs(dir, options, ports, sink.url);

    const alertmanager = await startAlertmanager({
      configFile: join(dir, 'alertmanager.yml'),
      dataDir: join(dir, 'alertmanager-data'),
      port: ports.alertmanager,
    });
    processes.watch(alertmanager.process);
    checkpoint();

    const startService = serviceStarter(ports.service, options, processes);
    await startService();
    checkpoint();

    urls.prometheusAlerts = await startPrometheus(
      prometheusBin,
      dir,
      { port: ports.prometheus, interval: options.interval },
      processes,
      checkpoint,
    );
    checkpoint();

    return {
      ports,
      urls,
      sink,
      skippedJobs,
      startService,
      async stopService(signal = 'SIGTERM') {
        await processes.service?.stop(signal);
        processes.service = undefined;
      },
      stop: stopAll,
      died: processes.died,
      dir,
    };
  } catch (error) {
    await stopAll();
    throw options.signal?.aborted ? options.signal.reason : error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
