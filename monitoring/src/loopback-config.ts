import { stringify } from 'yaml';
import { ConfigurationError } from '@housing/core/errors';
import { SERVICE_JOB } from './paths.ts';

/** Where each part of the loopback stack listens. */
export interface LoopbackPorts {
  service: number;
  prometheus: number;
  alertmanager: number;
}

interface PrometheusConfig {
  global?: Record<string, unknown>;
  alerting?: unknown;
  rule_files?: string[];
  scrape_configs?: { job_name: string; static_configs?: { targets: string[] }[] }[];
}

/**
 * The committed prometheus.yml pointed at loopback: the same jobs and rule
 * files, with each job's target replaced by the local port of the process
 * that plays it. Jobs with nothing local to scrape (node-exporter) are left
 * out and returned, so the caller can say so.
 */
export function loopbackPrometheusConfig(
  source: unknown,
  options: { ports: LoopbackPorts; ruleFiles: string[]; interval: string },
): { yaml: string; skippedJobs: string[] } {
  const config = structuredClone(source) as PrometheusConfig;
  const local: Record<string, number> = {
    [SERVICE_JOB]: options.ports.service,
    prometheus: options.ports.prometheus,
    alertmanager: options.ports.alertmanager,
  };
  const jobs = config.scrape_configs ?? [];
  if (!jobs.some((j) => j.job_name === SERVICE_JOB))
    throw new ConfigurationError(`no scrape job named ${SERVICE_JOB}`, 'prometheus.yml');
  const skippedJobs = jobs.filter((j) => local[j.job_name] === undefined).map((j) => j.job_name);
  config.scrape_configs = jobs
    .filter((j) => local[j.job_name] !== undefined)
    .map((j) => ({ ...j, static_configs: [{ targets: [`127.0.0.1:${local[j.job_name]}`] }] }));
  config.global = {
    ...config.global,
    scrape_interval: options.interval,
    evaluation_interval: options.interval,
  };
  config.alerting = {
    alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${options.ports.alertmanager}`] }] }],
  };
  config.rule_files = options.ruleFiles;
  return { yaml: stringify(config), skippedJobs };
}

interface Route {
  receiver?: string;
  group_wait?: string;
  group_interval?: string;
  routes?: Route[];
  [key: string]: unknown;
}

interface AlertmanagerConfig {
  global?: Record<string, unknown>;
  route?: Route;
  receivers?: { name: string }[];
  [key: string]: unknown;
}

/**
 * The committed alertmanager.yml with the same routing tree, grouping and
 * inhibition, but every receiver replaced by one webhook to
 * `<sinkUrl>/<receiver name>`, so a loopback sink can see who got what.
 * Group timers shrink to `groupInterval` so notifications come in seconds.
 */
export function loopbackAlertmanagerConfig(
  source: unknown,
  options: { sinkUrl: string; groupInterval: string },
): string {
  const config = structuredClone(source) as AlertmanagerConfig;
  if (!config.route || !Array.isArray(config.receivers))
    throw new ConfigurationError('needs a route and receivers', 'alertmanager.yml');
  // Only the resolve timeout is kept: SMTP and Slack settings point at secret
  // files that exist in the compose stack, not here.
  config.global = { resolve_timeout: config.global?.resolve_timeout ?? '5m' };
  config.receivers = config.receivers.map(({ name }) => ({
    name,
    webhook_configs: [
      { url: `${options.sinkUrl}/${encodeURIComponent(name)}`, send_resolved: true },
    ],
  }));
  const shrink = (route: Route): Route => ({
    ...route,
    ...(route.group_wait === undefined ? {} : { group_wait: options.groupInterval }),
    ...(route.group_interval === undefined ? {} : { group_interval: options.groupInterval }),
    ...(route.routes ? { routes: route.routes.map(shrink) } : {}),
  });
  config.route = {
    ...shrink(config.route),
    group_wait: options.groupInterval,
    group_interval: options.groupInterval,
  };
  return stringify(config);
}

/**
 * A rule file with every `for:` set to `duration`. The live test uses it:
 * the promtool unit tests prove each `for`, the live test proves the wiring.
 */
export function withForDuration(source: unknown, duration: string): string {
  const doc = structuredClone(source) as { groups: { rules: { for?: string }[] }[] };
  for (const group of doc.groups)
    for (const rule of group.rules) if (rule.for !== undefined) rule.for = duration;
  return stringify(doc);
}
