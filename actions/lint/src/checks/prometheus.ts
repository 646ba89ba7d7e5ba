import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { which } from '@housing/core/which';
import type { Problem } from '../../../shared/annotations.ts';
import { exec, type Check } from './check.ts';

export const PROMETHEUS_CONFIG = 'monitoring/prometheus/prometheus.yml';
export const RULES_DIR = 'monitoring/prometheus/rules';
export const ALERTMANAGER_CONFIG = 'monitoring/alertmanager/alertmanager.yml';

/**
 * promtool's and amtool's findings on `file`: lines of the form
 * `<file>: 5:15: message` or `<file>: yaml: line 5: message`, else the last
 * lines of the output on the file as a whole.
 */
function toolProblems(file: string, output: string, title: string): Problem[] {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(
    `^\\s*${escaped}: (?:(\\d+):(\\d+): |yaml: line (\\d+): )?(.+)$`,
    'gm',
  );
  const problems = [...output.matchAll(pattern)].map((m): Problem => {
    const line = m[1] ?? m[3];
    return {
      file,
      ...(line === undefined ? {} : { line: Number(line) }),
      ...(m[2] === undefined ? {} : { column: Number(m[2]) }),
      message: m[4]!,
      title,
    };
  });
  return problems.length > 0
    ? problems
    : [{ file, message: output.trim().split('\n').slice(-3).join(' '), title }];
}

/**
 * promtool on prometheus.yml and each rule file, and amtool on
 * alertmanager.yml. Either tool missing from PATH skips its part, with the
 * reason in the summary (apt-get install prometheus prometheus-alertmanager).
 */
export const checkPrometheus: Check = async (root) => {
  const problems: Problem[] = [];
  const skipped: string[] = [];
  if (![PROMETHEUS_CONFIG, RULES_DIR, ALERTMANAGER_CONFIG].some((p) => existsSync(join(root, p))))
    return { name: 'Prometheus and Alertmanager', problems, skipped: 'no monitoring config' };
  // promtool and amtool answer a bad file with a non-zero code; their output says what.
  if (which('promtool')) {
    const files = existsSync(join(root, RULES_DIR))
      ? (await readdir(join(root, RULES_DIR)))
          .filter((f) => f.endsWith('.yml'))
          .map((f) => `${RULES_DIR}/${f}`)
      : [];
    for (const file of files) {
      const run = await exec(root, 'promtool', ['check', 'rules', file], 'any');
      if (run.exitCode !== 0)
        problems.push(...toolProblems(file, run.stdout + run.stderr, 'promtool'));
    }
    if (existsSync(join(root, PROMETHEUS_CONFIG))) {
      const run = await exec(
        root,
        'promtool',
        ['check', 'config', '--syntax-only', PROMETHEUS_CONFIG],
        'any',
      );
      if (run.exitCode !== 0)
        problems.push(...toolProblems(PROMETHEUS_CONFIG, run.stdout + run.stderr, 'promtool'));
    }
  } else skipped.push('promtool is not on PATH (apt-get install prometheus)');
  if (!existsSync(join(root, ALERTMANAGER_CONFIG))) {
    // nothing to check
  } else if (which('amtool')) {
    const run = await exec(root, 'amtool', ['check-config', ALERTMANAGER_CONFIG], 'any');
    if (run.exitCode !== 0)
      problems.push(...toolProblems(ALERTMANAGER_CONFIG, run.stdout + run.stderr, 'amtool'));
  } else skipped.push('amtool is not on PATH (apt-get install prometheus-alertmanager)');
  return {
    name: 'Prometheus and Alertmanager',
    problems,
    ...(skipped.length > 0 ? { skipped: skipped.join('; ') } : {}),
  };
};
