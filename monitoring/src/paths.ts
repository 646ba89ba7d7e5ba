import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');
/** Where the monitoring config lives; every path below is inside it. */
export const MONITORING_DIR = join(ROOT, 'monitoring');
export const PROMETHEUS_CONFIG = join(MONITORING_DIR, 'prometheus/prometheus.yml');
export const RULES_DIR = join(MONITORING_DIR, 'prometheus/rules');
export const RULE_TESTS_DIR = join(MONITORING_DIR, 'prometheus/tests');
export const ALERTMANAGER_CONFIG = join(MONITORING_DIR, 'alertmanager/alertmanager.yml');
export const DASHBOARDS_DIR = join(MONITORING_DIR, 'grafana/dashboards');
export const RUNBOOK = join(MONITORING_DIR, 'RUNBOOK.md');
/** The job name every rule and dashboard selects the service by. */
export const SERVICE_JOB = 'housing-service';
