import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lintDashboards } from '@housing/monitoring/dashboard-lint';
import { loadDashboards } from '@housing/monitoring/dashboards';
import { loadRules } from '@housing/monitoring/rules';
import { serviceSeriesNames } from '@housing/service/metric-names';
import type { Problem } from '../../../shared/annotations.ts';
import { lineOf, problemsFromError, type Check } from './check.ts';

export const DASHBOARDS_DIR = 'monitoring/grafana/dashboards';

/** The Grafana dashboards: valid JSON, then the dashboard lint, at the panel's line. */
export const checkDashboards: Check = async (root) => {
  const dir = join(root, DASHBOARDS_DIR);
  if (!existsSync(dir))
    return { name: 'Dashboards', problems: [], skipped: `no ${DASHBOARDS_DIR}` };
  let dashboards;
  try {
    dashboards = await loadDashboards(dir);
  } catch (error) {
    return {
      name: 'Dashboards',
      problems: problemsFromError(error, DASHBOARDS_DIR, 'dashboard JSON'),
    };
  }
  const known = await serviceSeriesNames();
  const rulesDir = join(root, 'monitoring/prometheus/rules');
  if (existsSync(rulesDir))
    for (const r of (await loadRules(rulesDir)).records) known.add(r.record);
  const problems: Problem[] = [];
  for (const f of lintDashboards(dashboards, known)) {
    const file = join(DASHBOARDS_DIR, f.file.split('/').pop()!);
    const text = await readFile(join(root, file), 'utf8');
    const line = f.panel ? lineOf(text, `"title": ${JSON.stringify(f.panel)}`) : undefined;
    problems.push({
      file,
      ...(line === undefined ? {} : { line }),
      message: f.panel ? `panel "${f.panel}" ${f.message}` : f.message,
      title: 'dashboard lint',
    });
  }
  return { name: 'Dashboards', problems };
};
