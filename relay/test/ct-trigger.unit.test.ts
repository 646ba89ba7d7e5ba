import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '@housing/test-support/root';
import type { RetrainInputs } from '../src/retrain-inputs.ts';

// The other half of the relay's contract, read from ct.yml as GitHub reads it:
// the workflow runs on the relay's workflow_dispatch, declares what it sends,
// and lets the inputs reach a script only through env.

interface Input {
  type?: string;
  required?: boolean;
}
interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}
interface CtWorkflow {
  on: Record<string, { inputs?: Record<string, Input> } | null>;
  jobs: Record<string, { steps: Step[] }>;
}

const ct = parse(readFileSync(join(ROOT, '.github/workflows/ct.yml'), 'utf8')) as CtWorkflow;

/** Every input the relay sends: a record, so that a new field must be listed here. */
const SENT: Record<keyof RetrainInputs, true> = { reason: true, group_key: true, alerts: true };

describe("ct.yml's trigger, as the relay uses it", () => {
  it('runs on workflow_dispatch and no longer on repository_dispatch (which needs contents: write)', () => {
    expect(Object.keys(ct.on).sort()).toEqual(['push', 'workflow_dispatch']);
  });

  it('declares every input the relay sends, each an optional string (a person may dispatch it too)', () => {
    const inputs = ct.on.workflow_dispatch?.inputs ?? {};
    for (const name of Object.keys(SENT)) {
      expect(inputs[name], name).toBeDefined();
      expect(inputs[name]?.type, name).toBe('string');
      expect(inputs[name]?.required, name).toBe(false);
    }
  });

  it('lets inputs reach a script only through env, printed with workflow commands stopped', () => {
    const steps = Object.values(ct.jobs).flatMap((job) => job.steps);
    for (const step of steps)
      expect(step.run ?? '', step.name).not.toMatch(/\$\{\{[^}]*(inputs|event)\./);
    const why = steps.find((s) => Object.values(s.env ?? {}).some((v) => v.includes('inputs.')));
    expect(why?.env).toMatchObject({
      REASON: expect.stringContaining('inputs.reason') as unknown,
      GROUP_KEY: '${{ inputs.group_key }}',
      ALERTS: '${{ inputs.alerts }}',
    });
    const lines = why!.run!.trim().split('\n');
    expect(lines[1]).toBe('echo "::stop-commands::$resume"');
    expect(lines.at(-1)).toBe('echo "::$resume::"');
    // Nothing reads the repository_dispatch payload any more.
    expect(JSON.stringify(ct)).not.toContain('client_payload');
  });
});
