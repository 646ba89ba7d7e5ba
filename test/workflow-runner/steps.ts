/**
 * One step, dispatched as the runner does: `run:` in bash in the workspace with
 * the step's environment; `uses: ./actions/<name>` from its committed bundle
 * (the harness of actions/test); `uses: ./.github/actions/<name>` (composite)
 * step by step; anything else through the allow-list of ./third-party.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runAction } from '@housing/actions/harness';
import { condition, interpolate, type ExpressionScope, type Value } from './expressions.ts';
import { missingPermissions, permissionsNeeded, type Permissions } from './policy.ts';
import { EMULATED, type EmulationContext } from './third-party.ts';
import type { Step } from './workflow.ts';

/** What one step did, for the assertions. */
export interface StepRecord {
  where: string;
  status: 'success' | 'failure' | 'skipped' | 'not emulated';
  note: string;
  /** Its evaluated inputs (with:), so a test can check what a step was given even when it was not run. */
  inputs: Record<string, string>;
  output: string;
  outputs: Record<string, string>;
}

/** The walk's explicit substitutions and overrides (the test declares them, with why). */
export interface Substitutions {
  /** A `run:` text (trimmed) -> the command run instead. */
  run: Record<string, { command: string; why: string }>;
  /**
   * `<action path>:<input>` -> the value forced, whatever the caller passed
   * (a composite's or a project action's input).
   */
  forcedInputs: Record<string, { value: string; why: string }>;
  /** A step's name -> the command run instead of its `run:` (an effect emulated). */
  named: Record<string, { command: string; why: string }>;
  /** Project actions (./actions/<name>) that need the Docker engine: the walk stops there. */
  needsDocker: string[];
  /**
   * A folder whose `docker` records its arguments and writes the digest buildx
   * would (nothing is built or pushed), put first on PATH; without it a step
   * that calls docker stops its job.
   */
  dockerStandIn?: string;
}

/** The state a job's steps share. */
export interface StepContext extends EmulationContext {
  /** file:job, the prefix of every error. */
  where: string;
  contexts: Record<string, Value>;
  /** The runner's variables (GITHUB_*, RUNNER_*) and the GITHUB_ENV written so far. */
  env: Record<string, string>;
  substitutions: Substitutions;
  /** The job's token scopes (its permissions:, downgraded in a fork's pull request). */
  permissions: Permissions;
  /** The job's GITHUB_TOKEN, to tell it from another token a step is given. */
  token: string;
}

const asStrings = (o: Record<string, unknown> | undefined, scope: ExpressionScope) =>
  Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, interpolate(String(v), scope)]));

/** GITHUB_OUTPUT's `name=value` and `name<<EOF` blocks. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(rows[i]!);
    if (heredoc) {
      const end = rows.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = rows.slice(i + 1, end).join('\n');
      i = end;
    } else if (rows[i]!.includes('=')) {
      const at = rows[i]!.indexOf('=');
      out[rows[i]!.slice(0, at)] = rows[i]!.slice(at + 1);
    }
  }
  return out;
}

async function bash(script: string, cwd: string, env: Record<string, string>) {
  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  return { code, output };
}

/** Runs one step; `steps` is the steps context it adds its outputs to. */
export async function runStep(
  step: Step,
  index: number,
  ctx: StepContext,
  steps: Record<string, Value>,
  succeeded: boolean,
  actionPath?: string,
): Promise<StepRecord> {
  const where = `${ctx.where}:${step.id ?? step.name ?? (step.run === undefined ? step.uses : `Run ${step.run.trim().split('\n')[0]}`) ?? `step ${index + 1}`}`;
  const scope: ExpressionScope = {
    contexts: { ...ctx.contexts, steps },
    succeeded,
    workspace: ctx.workspace,
    where,
  };
  const inputs = asStrings(step.with, scope);
  const record = (
    status: StepRecord['status'],
    note: string,
    output = '',
    outputs: Record<string, string> = {},
  ): StepRecord => {
    if (step.id)
      steps[step.id] = {
        outputs,
        outcome: status === 'not emulated' ? 'failure' : status,
        conclusion: status,
      };
    return { where, status, note, inputs, output, outputs };
  };
  if (!condition(step.if, scope)) return record('skipped', `if: ${String(step.if ?? 'success()')}`);
  if (step.uses !== undefined) {
    const missing = missingPermissions(
      permissionsNeeded(step.uses, inputs, ctx.token),
      ctx.permissions,
    );
    if (missing.length > 0)
      return record(
        'failure',
        `needs ${missing.join(', ')}, which the job's permissions: do not give`,
      );
  }
  const stepEnv = { ...ctx.env, ...asStrings(step.env, scope) };
  const scratch = await mkdtemp(join(tmpdir(), 'walk-step-'));
  try {
    const files = {
      GITHUB_OUTPUT: join(scratch, 'output'),
      GITHUB_STEP_SUMMARY: join(scratch, 'summary'),
      GITHUB_ENV: join(scratch, 'env'),
      GITHUB_PATH: join(scratch, 'path'),
    };
    await Promise.all(Object.values(files).map((f) => writeFile(f, '')));
    const finish = async (code: number | null, output: string, note: string) => {
      Object.assign(ctx.env, parseCommandFile(await readFile(files.GITHUB_ENV, 'utf8')));
      // GITHUB_PATH: each line goes before PATH, for the steps after this one.
      const added = (await readFile(files.GITHUB_PATH, 'utf8')).split('\n').filter(Boolean);
      if (added.length > 0) ctx.env.PATH = [...added.reverse(), ctx.env.PATH].join(':');
      const outputs = parseCommandFile(await readFile(files.GITHUB_OUTPUT, 'utf8'));
      return record(
        code === 0 ? 'success' : 'failure',
        code === 0 ? note : `${note}: exit ${code}`,
        output,
        outputs,
      );
    };

    if (step.run !== undefined) {
      const text = step.run.trim();
      if (/\bdocker\b/.test(text) && ctx.substitutions.dockerStandIn === undefined)
        return record('not emulated', 'needs the Docker engine');
      const substitute =
        (step.name === undefined ? undefined : ctx.substitutions.named[step.name]) ??
        ctx.substitutions.run[text];
      const script = interpolate(substitute?.command ?? step.run, scope);
      const env = {
        ...stepEnv,
        ...files,
        ...(actionPath ? { GITHUB_ACTION_PATH: actionPath } : {}),
      };
      const { code, output } = await bash(script, ctx.workspace, env);
      return await finish(
        code,
        output,
        substitute ? `run (substituted: ${substitute.why})` : 'run',
      );
    }
    const uses = step.uses ?? '';
    if (uses.startsWith('./actions/')) {
      const name = uses.slice('./actions/'.length);
      if (ctx.substitutions.needsDocker.includes(name))
        return record('not emulated', `${uses} needs the Docker engine`);
      const spec = parse(await readFile(join(ctx.workspace, uses, 'action.yml'), 'utf8')) as {
        inputs?: Record<string, { default?: string }>;
      };
      const defaults = Object.fromEntries(
        Object.entries(spec.inputs ?? {}).flatMap(([k, v]) =>
          v.default === undefined ? [] : [[k, interpolate(String(v.default), scope)]],
        ),
      );
      const forced = Object.fromEntries(
        Object.entries(ctx.substitutions.forcedInputs).flatMap(([key, f]) =>
          key.startsWith(`${uses}:`) ? [[key.slice(uses.length + 1), f.value]] : [],
        ),
      );
      const run = await runAction(name, {
        inputs: { ...defaults, ...inputs, ...forced },
        env: { ...stepEnv, ...files },
        cwd: ctx.workspace,
        root: ctx.workspace,
      });
      const why = Object.entries(ctx.substitutions.forcedInputs)
        .filter(([key]) => key.startsWith(`${uses}:`))
        .map(([key, f]) => `${key.slice(uses.length + 1)} forced: ${f.why}`);
      return await finish(
        run.code,
        run.stdout,
        `${uses} (committed bundle${why.length > 0 ? `; ${why.join('; ')}` : ''})`,
      );
    }
    if (uses.startsWith('./.github/actions/'))
      return runComposite(step, uses, inputs, stepEnv, ctx, record);
    const emulation = EMULATED[uses.replace(/@.*$/, '')];
    if (!emulation)
      throw new Error(
        `${where}: uses ${uses}, which the walk neither runs nor emulates (test/workflow-runner/third-party.ts)`,
      );
    const result = await emulation.run(inputs, ctx);
    return record(
      result.status,
      result.note,
      '',
      result.status === 'success' ? (result.outputs ?? {}) : {},
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A composite action: its runs.steps, with its own steps context and inputs. */
async function runComposite(
  step: Step,
  uses: string,
  given: Record<string, string>,
  stepEnv: Record<string, string>,
  ctx: StepContext,
  record: (
    status: StepRecord['status'],
    note: string,
    output?: string,
    outputs?: Record<string, string>,
  ) => StepRecord,
): Promise<StepRecord> {
  const path = join(ctx.workspace, uses);
  const spec = parse(await readFile(join(path, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: string }>;
    outputs?: Record<string, { value: string }>;
    runs: { steps: Step[] };
  };
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    const forced = ctx.substitutions.forcedInputs[`${uses}:${name}`];
    inputs[name] = forced?.value ?? given[name] ?? input.default ?? '';
  }
  // Inside a composite, env is the caller's step env; its steps see only their own steps context.
  const inner: StepContext = {
    ...ctx,
    where: `${ctx.where}:${uses}`,
    env: stepEnv,
    contexts: { ...ctx.contexts, inputs, env: stepEnv },
  };
  const steps: Record<string, Value> = {};
  const records: StepRecord[] = [];
  let ok = true;
  for (const [i, s] of spec.runs.steps.entries()) {
    const r = await runStep(s, i, inner, steps, ok, path);
    records.push(r);
    if (r.status === 'failure' || r.status === 'not emulated') ok = false;
  }
  const summary = records
    .map(
      (r) =>
        `${r.where.slice(inner.where.length + 1)}: ${r.status}${r.status === 'failure' && !r.note.startsWith('run') ? ` (${r.note})` : ''}`,
    )
    .join('; ');
  // Its outputs: each `value:` evaluated over its own steps, as the runner does when it ends.
  const scope: ExpressionScope = {
    contexts: { ...inner.contexts, steps },
    succeeded: ok,
    workspace: ctx.workspace,
    where: inner.where,
  };
  const outputs = ok
    ? Object.fromEntries(
        Object.entries(spec.outputs ?? {}).map(([k, o]) => [k, interpolate(o.value, scope)]),
      )
    : {};
  return record(
    ok ? 'success' : 'failure',
    summary,
    records.map((r) => r.output).join('\n'),
    outputs,
  );
}
