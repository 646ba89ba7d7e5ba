import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RULE_TESTS_DIR, RULES_DIR } from '../src/paths.ts';
import { loadRules, type RuleSet } from '../src/rules.ts';
import {
  githubAnchor,
  RUNBOOK_URL_PREFIX,
  runbookAnchors,
  withRunbookUrls,
} from '../src/runbook.ts';
import { readYamlFile } from '@housing/core/yaml-file';

const SEVERITIES = ['critical', 'warning', 'none'];
const PREFIX = 'Housing';

interface RuleTestFile {
  tests?: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

/** For each alert name, whether some promtool case expects it firing, and some expects it silent. */
async function ruleTestCoverage(): Promise<Map<string, { fires: boolean; silent: boolean }>> {
  const coverage = new Map<string, { fires: boolean; silent: boolean }>();
  for (const file of (await readdir(RULE_TESTS_DIR)).filter((f) => f.endsWith('.yml'))) {
    const doc = (await readYamlFile(join(RULE_TESTS_DIR, file))) as RuleTestFile;
    for (const test of doc.tests ?? [])
      for (const c of test.alert_rule_test ?? []) {
        const entry = coverage.get(c.alertname) ?? { fires: false, silent: false };
        if ((c.exp_alerts ?? []).length > 0) entry.fires = true;
        else entry.silent = true;
        coverage.set(c.alertname, entry);
      }
  }
  return coverage;
}

describe('rule lint', () => {
  let rules: RuleSet;
  beforeAll(async () => {
    rules = await loadRules();
  });

  it('finds the alerts and recording rules', () => {
    expect(rules.alerts.length).toBeGreaterThanOrEqual(15);
    expect(rules.records.length).toBeGreaterThanOrEqual(22);
  });

  it('gives every alert an allowed severity, a summary and a description', () => {
    const problems = rules.alerts.flatMap((a) => [
      ...(SEVERITIES.includes(a.labels.severity ?? '')
        ? []
        : [
            `${a.file}: ${a.alert}: severity "${a.labels.severity}" not in ${SEVERITIES.join('/')}`,
          ]),
      ...(['summary', 'description'] as const)
        .filter((k) => !a.annotations[k]?.trim())
        .map((k) => `${a.file}: ${a.alert}: no ${k}`),
    ]);
    expect(problems).toEqual([]);
  });

  it("points every alert's runbook_url at a heading that exists in RUNBOOK.md", async () => {
    const anchors = await runbookAnchors();
    const problems = rules.alerts.flatMap((a) => {
      const url = a.annotations.runbook_url ?? '';
      if (!url.startsWith(RUNBOOK_URL_PREFIX))
        return [`${a.file}: ${a.alert}: runbook_url "${url}"`];
      const anchor = url.slice(RUNBOOK_URL_PREFIX.length);
      return anchors.has(anchor) ? [] : [`${a.file}: ${a.alert}: no heading for #${anchor}`];
    });
    expect(problems).toEqual([]);
    // One section per alert, named after it.
    for (const a of rules.alerts) expect(anchors).toContain(githubAnchor(a.alert));
  });

  it('keeps query values out of labels', () => {
    const templated = rules.alerts.filter((a) =>
      Object.values(a.labels).some((v) => v.includes('$value') || v.includes('{{')),
    );
    expect(templated.map((a) => `${a.file}: ${a.alert}`)).toEqual([]);
  });

  it(`names every alert with the ${PREFIX} prefix, uniquely`, () => {
    const names = rules.alerts.map((a) => a.alert);
    expect(names.filter((n) => !/^Housing[A-Z][A-Za-z0-9]+$/.test(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('names recording rules level:metric:operations', () => {
    expect(rules.records.map((r) => r.record).filter((n) => !/^\w+:\w+:\w+$/.test(n))).toEqual([]);
  });

  it('has promtool cases where each alert fires and where it stays silent (the watchdog only fires)', async () => {
    const coverage = await ruleTestCoverage();
    const problems = rules.alerts.flatMap((a) => {
      const c = coverage.get(a.alert);
      const gaps = [
        ...(c?.fires ? [] : ['no case where it fires']),
        ...(c?.silent || a.alert === 'HousingWatchdog' ? [] : ['no case where it stays silent']),
      ];
      return gaps.map((g) => `${a.alert}: ${g}`);
    });
    expect(problems).toEqual([]);
  });
});

describe('runbook URLs: one prefix, in monitoring/src/runbook.ts', () => {
  it('is what every runbook_url in the rules and their promtool tests is written from (npm run rules:runbook)', async () => {
    const stale: string[] = [];
    for (const dir of [RULES_DIR, RULE_TESTS_DIR]) {
      for (const name of (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f))) {
        const text = await readFile(join(dir, name), 'utf8');
        if (withRunbookUrls(text, name) !== text) stale.push(name);
      }
    }
    expect(stale).toEqual([]);
  });

  it('rewrites a runbook_url under another prefix, and refuses one with no alert above it', () => {
    const rule = [
      '      - alert: HousingServiceDown',
      '        annotations:',
      '          runbook_url: https://example.com/old#x',
      '',
    ].join('\n');
    expect(withRunbookUrls(rule, 'a.yml')).toBe(
      rule.replace('https://example.com/old#x', `${RUNBOOK_URL_PREFIX}housingservicedown`),
    );
    const test =
      '    - alertname: HousingModelDrift\n      exp_annotations:\n        runbook_url: x';
    expect(withRunbookUrls(test, 't.yml')).toContain(
      `runbook_url: ${RUNBOOK_URL_PREFIX}housingmodeldrift`,
    );
    expect(() => withRunbookUrls('groups:\n  runbook_url: x', 'b.yml')).toThrow(/b\.yml:2/);
  });
});
