import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ConfigurationError } from '@housing/core/errors';
import { ROOT, RULES_DIR } from './paths.ts';
import { readYamlFile } from '@housing/core/yaml-file';

/** An alerting rule, with where it came from. */
export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  file: string;
  group: string;
}

/** A recording rule, with where it came from. */
export interface RecordingRule {
  record: string;
  expr: string;
  file: string;
  group: string;
}

/** Every rule in a folder of Prometheus rule files. */
export interface RuleSet {
  files: string[];
  alerts: AlertRule[];
  records: RecordingRule[];
}

interface RawRule {
  alert?: string;
  record?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Reads every `*.yml` rule file in a folder (the layout Prometheus loads with `rules/*.yml`). */
export async function loadRules(dir = RULES_DIR): Promise<RuleSet> {
  const files = (await readdir(dir))
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
  const set: RuleSet = { files, alerts: [], records: [] };
  for (const path of files) {
    const file = relative(ROOT, path);
    const doc = (await readYamlFile(path)) as { groups?: { name: string; rules?: RawRule[] }[] };
    if (!Array.isArray(doc?.groups)) throw new ConfigurationError('no "groups" list', file);
    for (const group of doc.groups) {
      for (const rule of group.rules ?? []) {
        const expr = String(rule.expr ?? '');
        if (rule.alert !== undefined)
          set.alerts.push({
            alert: rule.alert,
            expr,
            ...(rule.for === undefined ? {} : { for: rule.for }),
            labels: rule.labels ?? {},
            annotations: rule.annotations ?? {},
            file,
            group: group.name,
          });
        else if (rule.record !== undefined)
          set.records.push({ record: rule.record, expr, file, group: group.name });
      }
    }
  }
  return set;
}
