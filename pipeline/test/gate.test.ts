import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.ts';

describe('npm run gate (the CLI)', () => {
  /** Runs the gate CLI; `baseline` is written as a card, or a string is passed as the path itself. */
  async function runGate(candidate: object, baseline: object | string | undefined) {
    const dir = await tempDir('gate-');
    await writeFile(join(dir, 'candidate.json'), JSON.stringify(candidate));
    const args = [
      '--import',
      'tsx',
      'pipeline/src/cli/gate.ts',
      '--candidate',
      join(dir, 'candidate.json'),
      '--report',
      join(dir, 'gate.json'),
    ];
    if (typeof baseline === 'string') args.push('--baseline', join(dir, baseline));
    else if (baseline) {
      await writeFile(
        join(dir, 'card.json'),
        JSON.stringify({ model_version: 'x', metrics: baseline }),
      );
      args.push('--baseline', join(dir, 'card.json'));
    }
    return { ...spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' }), dir };
  }

  it('exits 0 when the candidate passes against a card baseline', async () => {
    const run = await runGate(
      { rmse: 45000, mae: 29000, r2: 0.85 },
      { rmse: 45500, mae: 29500, r2: 0.85 },
    );
    expect(run.stdout).toContain('PASSED');
    expect(run.status).toBe(0);
  });

  it('exits 1 when the candidate regresses', async () => {
    const run = await runGate(
      { rmse: 48000, mae: 29000, r2: 0.85 },
      { rmse: 45000, mae: 29000, r2: 0.85 },
    );
    expect(run.stdout).toContain('FAILED');
    expect(run.status).toBe(1);
  });

  it('exits 2 with a clear message when an explicit baseline is missing', async () => {
    const run = await runGate({ rmse: 1, mae: 1, r2: 0.9 }, 'nope.json');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`error: ${join(run.dir, 'nope.json')}: cannot read (ENOENT)\n`);
  });

  it('exits 2 when the baseline lacks a gated metric, instead of skipping the comparison', async () => {
    // A baseline card without metrics (or with rmse as text) gated on the
    // absolute limits only and printed "Gate against <card>: PASSED": a
    // regression against production went through.
    for (const baseline of [{}, { rmse: '45000', mae: 29000, r2: 0.85 }, { mae: 1, r2: 0.85 }]) {
      const run = await runGate({ rmse: 49000, mae: 29000, r2: 0.85 }, baseline);
      expect(run.status, JSON.stringify(baseline)).toBe(2);
      expect(run.stderr).toMatch(/^error: .*card\.json: .*rmse/);
      expect(run.stdout).not.toContain('PASSED');
    }
  });
});
