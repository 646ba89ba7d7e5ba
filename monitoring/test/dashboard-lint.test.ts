import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  concreteQuery,
  dashboardQueries,
  loadDashboards,
  type Dashboard,
} from '../src/dashboards.ts';
import { missing, run } from '@housing/test-support/programs';

describe('dashboard lint', () => {
  let dashboards: Dashboard[];
  beforeAll(async () => {
    dashboards = await loadDashboards();
  });

  it.skipIf(missing('promtool'))(
    "passes Prometheus's own parser (as recording rules under promtool check rules)",
    async () => {
      const queries = dashboards.flatMap(dashboardQueries);
      expect(queries.length).toBeGreaterThan(20);
      const dir = await mkdtemp(join(tmpdir(), 'dashboard-exprs-'));
      try {
        const file = join(dir, 'dashboards.yml');
        const rules = queries.map((q, i) => ({
          record: `dashboard_query_${i}`,
          expr: concreteQuery(q.expr),
        }));
        await writeFile(file, stringify({ groups: [{ name: 'dashboards', rules }] }));
        const { status, output } = run('promtool', ['check', 'rules', file]);
        expect(output).toContain(`SUCCESS: ${queries.length} rules found`);
        expect(status, output).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
