/**
 * A workflow run, job by job in the order of their needs: each job's `if:`
 * (and a failed or skipped need) decides whether it runs; its steps run in
 * order until one fails or needs what the walk does not emulate; its outputs
 * reach the jobs that need it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkout, emptyWorkspace, type Origin } from './checkout.ts';
import { condition, interpolate, type ExpressionScope, type Value } from './expressions.ts';
import { documented, jobPermissions, policyViolation } from './policy.ts';
import { runStep, type StepRecord, type Substitutions } from './steps.ts';
import { jobOrder, needsOf, type Concurrency, type Job, type Workflow } from './workflow.ts';

/** A job's result: `stopped` means a step needed what the walk does not emulate. */
export interface JobRecord {
  id: string;
  status: 'success' | 'failure' | 'skipped' | 'stopped';
  reason: string;
  steps: StepRecord[];
  outputs: Record<string, string>;
  /** Its evaluated concurrency group and environment name, when it has them. */
  concurrency?: string;
  environment?: string;
}

/** A concurrency block's group and cancel-in-progress, evaluated. */
function concurrencyOf(block: Concurrency | undefined, scope: ExpressionScope) {
  if (block === undefined) return {};
  const group = interpolate(typeof block === 'string' ? block : block.group, scope);
  const cancel = typeof block === 'string' ? false : block['cancel-in-progress'];
  return {
    group,
    cancelInProgress:
      typeof cancel === 'string' ? interpolate(cancel, scope) === 'true' : (cancel ?? false),
  };
}

/** Whether a job promotes to staging (ct.yml's release, image.yml's image): they share one queue. */
const promotesToStaging = (job: Job) =>
  job.steps.some((s) => s.uses === './actions/promote' && s.with?.environment === 'staging');

/** Everything about the run the runner knows before the first job. */
export interface RunSetup {
  origin: Origin;
  event: 'push' | 'pull_request' | 'workflow_dispatch';
  payload: Record<string, Value>;
  ref: string;
  repository: string;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  inputs: Record<string, string>;
  runAttempt: number;
  apiUrl: string;
  token: string;
  substitutions: Substitutions;
  /** The run's artifact store (one folder per name). */
  artifacts?: string;
}

/** Walks every job of a workflow the event started. */
export async function walkWorkflow(workflow: Workflow, setup: RunSetup): Promise<JobRecord[]> {
  const artifacts = setup.artifacts ?? (await mkdtemp(join(tmpdir(), 'walk-artifacts-')));
  const eventDir = await mkdtemp(join(tmpdir(), 'walk-event-'));
  // Every folder the run made, removed when it ends (the caller's artifact store stays).
  const made = setup.artifacts ? [eventDir] : [eventDir, artifacts];
  try {
    return await walkJobs(workflow, setup, artifacts, join(eventDir, 'event.json'), made);
  } finally {
    await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

async function walkJobs(
  workflow: Workflow,
  setup: RunSetup,
  artifacts: string,
  eventPath: string,
  made: string[],
): Promise<JobRecord[]> {
  await writeFile(eventPath, JSON.stringify(setup.payload));
  const owner = setup.repository.split('/')[0]!;
  const dispatchInputs = workflow.on.workflow_dispatch?.inputs ?? {};
  const inputs: Record<string, Value> = Object.fromEntries(
    Object.entries(dispatchInputs).map(([k, v]) => [
      k,
      setup.inputs[k] ?? String((v as { default?: string }).default ?? ''),
    ]),
  );
  const records: JobRecord[] = [];
  const needs: Record<string, Value> = {};
  const docs = documented();
  const pr = (setup.payload.pull_request ?? null) as {
    head?: { repo?: { full_name?: string } };
  } | null;
  // A pull request whose head is another repository: GitHub gives it read-only scopes, no OIDC, no secrets.
  const fromFork = setup.event === 'pull_request' && pr?.head?.repo?.full_name !== setup.repository;
  for (const id of jobOrder(workflow)) {
    const job = workflow.jobs[id]!;
    const where = `${workflow.file}:${id}`;
    const workspace = await emptyWorkspace();
    const runnerTemp = await mkdtemp(join(tmpdir(), 'walk-runner-temp-'));
    made.push(dirname(workspace), runnerTemp);
    const refName = setup.ref.replace(/^refs\/(heads|tags)\//, '');
    const github: Record<string, Value> = {
      event_name: setup.event,
      event: setup.payload,
      ref: setup.ref,
      ref_name: refName,
      sha: setup.origin.sha,
      repository: setup.repository,
      repository_owner: owner,
      run_id: '4242',
      run_attempt: String(setup.runAttempt),
      actor: owner,
      token: setup.token,
      workflow: workflow.file,
      job: id,
      api_url: setup.apiUrl,
      server_url: 'https://github.com',
      workspace,
    };
    const env: Record<string, string> = {
      PATH: [setup.substitutions.dockerStandIn, process.env.PATH].filter(Boolean).join(':'),
      HOME: runnerTemp,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: setup.event,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: setup.repository,
      GITHUB_REPOSITORY_OWNER: owner,
      GITHUB_SHA: setup.origin.sha,
      GITHUB_REF: setup.ref,
      GITHUB_REF_NAME: refName,
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: String(setup.runAttempt),
      GITHUB_ACTOR: owner,
      GITHUB_WORKFLOW: workflow.file,
      GITHUB_JOB: id,
      GITHUB_WORKSPACE: workspace,
      GITHUB_API_URL: setup.apiUrl,
      GITHUB_SERVER_URL: 'https://github.com',
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
      ...workflow.env,
    };
    const contexts: Record<string, Value> = {
      github,
      inputs,
      vars: setup.vars,
      secrets: { GITHUB_TOKEN: setup.token, ...setup.secrets },
      needs: Object.fromEntries(needsOf(job).map((n) => [n, needs[n] ?? null])),
      runner: { temp: runnerTemp, os: 'Linux' },
      env,
    };
    const unmet = needsOf(job).filter((n) => records.find((r) => r.id === n)?.status !== 'success');
    const scope: ExpressionScope = { contexts, succeeded: unmet.length === 0, workspace, where };
    const skip = (reason: string) => {
      records.push({ id, status: 'skipped', reason, steps: [], outputs: {} });
      needs[id] = { result: 'skipped', outputs: {} };
    };
    if (unmet.length > 0 && !/always\(\)/.test(String(job.if ?? ''))) {
      skip(`needs ${unmet.join(', ')}, which did not succeed`);
      continue;
    }
    if (!condition(job.if, scope)) {
      skip(`if: ${String(job.if)}`);
      continue;
    }
    Object.assign(env, job.env ?? {});
    // The workflow's queue, then the job's: both are evaluated when the job starts.
    concurrencyOf(workflow.concurrency, scope);
    const queue = concurrencyOf(job.concurrency, scope);
    const environment =
      job.environment === undefined
        ? undefined
        : interpolate(
            typeof job.environment === 'string' ? job.environment : job.environment.name,
            scope,
          );
    const facts = {
      ...(queue.group === undefined ? {} : { concurrency: queue.group }),
      ...(environment === undefined ? {} : { environment }),
    };
    const violation = policyViolation(
      {
        ...queue,
        ...(environment === undefined ? {} : { environment }),
        promotesToStaging: promotesToStaging(job),
      },
      docs,
    );
    if (violation !== null) {
      records.push({
        id,
        status: 'failure',
        reason: `${where}: ${violation}`,
        steps: [],
        outputs: {},
        ...facts,
      });
      needs[id] = { result: 'failure', outputs: {} };
      continue;
    }
    const steps: Record<string, Value> = {};
    const ctx = {
      where,
      workspace,
      artifacts,
      contexts,
      env,
      substitutions: setup.substitutions,
      checkout: () => checkout(setup.origin, workspace),
      permissions: jobPermissions(job.permissions ?? workflow.permissions, where, fromFork),
      token: setup.token,
      api: {
        url: setup.apiUrl,
        token: setup.token,
        repository: setup.repository,
        workflow: `${setup.repository}/.github/workflows/${workflow.file}@${setup.ref}`,
      },
    };
    const stepRecords: StepRecord[] = [];
    let status: JobRecord['status'] = 'success';
    let reason = 'every step passed';
    for (const [i, step] of job.steps.entries()) {
      if (status === 'stopped') break;
      const r = await runStep(step, i, ctx, steps, status === 'success');
      stepRecords.push(r);
      if (r.status === 'not emulated') {
        status = 'stopped';
        reason = `${r.where}: not emulated (${r.note})`;
      } else if (r.status === 'failure' && status === 'success') {
        status = 'failure';
        reason = `${r.where}: ${r.note}`;
      }
    }
    const outScope: ExpressionScope = {
      ...scope,
      contexts: { ...contexts, steps },
      succeeded: status === 'success',
    };
    const outputs =
      status === 'success'
        ? Object.fromEntries(
            Object.entries(job.outputs ?? {}).map(([k, v]) => [k, interpolate(v, outScope)]),
          )
        : {};
    records.push({ id, status, reason, steps: stepRecords, outputs, ...facts });
    needs[id] = { result: status, outputs };
  }
  return records;
}
