import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROMETHEUS_CONFIG, RULE_TESTS_DIR, RULES_DIR } from '../src/paths.ts';
import { missing, run } from '@housing/test-support/programs';

describe.skipIf(missing('promtool'))('promtool on the committed Prometheus config', () => {
  it('accepts prometheus.yml and the rule files it loads', () => {
    const { status, output } = run('promtool', ['check', 'config', PROMETHEUS_CONFIG]);
    expect(output).toMatch(/SUCCESS: .*prometheus\.yml is valid/);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(status, output).toBe(0);
  });

  it('accepts every rule file', async () => {
    const files = (await readdir(RULES_DIR)).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const { status, output } = run('promtool', [
      'check',
      'rules',
      ...files.map((f) => join(RULES_DIR, f)),
    ]);
    expect(status, output).toBe(0);
  });

  it('passes every rule unit test (promtool test rules)', async () => {
    const files = (await readdir(RULE_TESTS_DIR)).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    // Relative rule_files in the tests resolve against the working directory.
    const { status, output } = run('promtool', ['test', 'rules', ...files], {
      cwd: RULE_TESTS_DIR,
    });
    expect(output.match(/SUCCESS/g)?.length, output).toBe(files.length);
    expect(status, output).toBe(0);
    // The SLO cases evaluate three days of windows minute by minute, and the
    // live-accuracy cases a day's: on a shared machine that passes 60 s.
  }, 240_000);
});
