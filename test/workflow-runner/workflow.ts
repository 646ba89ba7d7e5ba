/**
 * A workflow file as the runner reads it: which events start it (the `on:`
 * filters, with branches and paths matched as GitHub matches them), and its
 * jobs in the order their `needs` allow.
 */
import { parse } from 'yaml';

/** One step of a job or a composite action. */
export interface Step {
  id?: string;
  name?: string;
  if?: string | boolean;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string | number | boolean>;
}

/** One job. */
export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string | boolean;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  permissions?: unknown;
  concurrency?: Concurrency;
  environment?: string | { name: string; url?: string };
  steps: Step[];
}

/** A `concurrency:` block (or its short form, the group alone). */
export type Concurrency = string | { group: string; 'cancel-in-progress'?: boolean | string };

/** A parsed workflow, with the file it came from. */
export interface Workflow {
  file: string;
  on: Record<
    string,
    { branches?: string[]; paths?: string[]; inputs?: Record<string, unknown> } | null
  >;
  env?: Record<string, string>;
  permissions?: unknown;
  concurrency?: Concurrency;
  jobs: Record<string, Job>;
}

/** Parses a workflow's text (a committed file's, or an in-memory mutation of it). */
export function parseWorkflow(file: string, text: string): Workflow {
  const doc = parse(text) as Omit<Workflow, 'on'> & { on: unknown };
  const on =
    typeof doc.on === 'string'
      ? { [doc.on]: null }
      : Array.isArray(doc.on)
        ? Object.fromEntries((doc.on as string[]).map((e) => [e, null]))
        : doc.on;
  return { ...doc, file, on: on as Workflow['on'] };
}

/** GitHub's filter patterns: `**` crosses folders, `*` does not. */
export function globMatches(pattern: string, path: string): boolean {
  const source = pattern
    .split(/(\*\*\/?|\*)/)
    .map((part) =>
      part === '**/'
        ? '(?:.*/)?'
        : part === '**'
          ? '.*'
          : part === '*'
            ? '[^/]*'
            : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`).test(path);
}

/** The event that starts a walk. */
export interface Trigger {
  event: 'push' | 'pull_request' | 'workflow_dispatch';
  /** The pushed branch, or a pull request's base branch. */
  branch: string;
  /** The files the push or pull request changes. */
  changed: string[];
  /** The workflow file a dispatch names (dispatches start one workflow). */
  dispatched?: string;
}

/** Why a workflow runs or not for a trigger: null when it runs. */
export function skipReason(workflow: Workflow, trigger: Trigger): string | null {
  if (!(trigger.event in workflow.on)) return `not on ${trigger.event}`;
  if (trigger.event === 'workflow_dispatch')
    return trigger.dispatched === workflow.file ? null : `the dispatch names ${trigger.dispatched}`;
  const filter = workflow.on[trigger.event] ?? {};
  if (filter.branches && !filter.branches.some((b) => globMatches(b, trigger.branch)))
    return `branch ${trigger.branch} not in ${filter.branches.join(', ')}`;
  if (filter.paths && !trigger.changed.some((f) => filter.paths!.some((p) => globMatches(p, f))))
    return `no changed file matches paths (${trigger.changed.join(', ')})`;
  return null;
}

/** A job's needs as a list. */
export const needsOf = (job: Job): string[] =>
  job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];

/** The job ids in an order where each comes after what it needs (file order otherwise). */
export function jobOrder(workflow: Workflow): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (id: string) => {
    if (order.includes(id)) return;
    const job = workflow.jobs[id];
    if (!job) throw new Error(`${workflow.file}: a job needs "${id}", which does not exist`);
    if (visiting.has(id)) throw new Error(`${workflow.file}:${id}: its needs form a cycle`);
    visiting.add(id);
    needsOf(job).forEach(visit);
    order.push(id);
  };
  Object.keys(workflow.jobs).forEach(visit);
  return order;
}
