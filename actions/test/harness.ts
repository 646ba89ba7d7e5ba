import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT } from '@housing/test-support/root';

export { ROOT };
export const EVENTS = join(import.meta.dirname, 'events');

/** An annotation the action printed (`::error file=...,line=...::message`). */
export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  file?: string;
  line?: number;
  title?: string;
  message: string;
}

/** What one run of an action's bundled dist did. */
export interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
}

/** Decodes the workflow-command escapes @actions/core writes. */
const unescape = (s: string) =>
  s
    .replace(/%0A/g, '\n')
    .replace(/%0D/g, '\r')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

function parseAnnotations(stdout: string): Annotation[] {
  return [...stdout.matchAll(/^::(error|warning|notice)(?: ([^:]*))?::(.*)$/gm)].map((m) => {
    const props = Object.fromEntries(
      (m[2] ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => {
          const i = kv.indexOf('=');
          return [kv.slice(0, i), unescape(kv.slice(i + 1))];
        }),
    );
    return {
      level: m[1] as Annotation['level'],
      ...(props.file ? { file: props.file } : {}),
      ...(props.line ? { line: Number(props.line) } : {}),
      ...(props.title ? { title: props.title } : {}),
      message: unescape(m[3] ?? ''),
    };
  });
}

/** Parses the GITHUB_OUTPUT file (name<<delimiter ... delimiter blocks). */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]!] = m[3]!;
  return outputs;
}

/**
 * Runs `actions/<name>/dist/index.js` as the runner does: a child process
 * with INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and
 * an event payload from `events/`.
 */
export async function runAction(
  name: string,
  options: {
    inputs?: Record<string, string>;
    event?: 'push' | 'pull_request' | 'workflow_dispatch' | 'repository_dispatch';
    /** The payload file under events/, when it is not `<event>.json` (push-tag.json, say). */
    eventFile?: string;
    env?: Record<string, string>;
    cwd?: string;
    /** The checkout whose committed bundle runs (test/workflow-walk.test.ts: a clone); ROOT by default. */
    root?: string;
  } = {},
): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), `action-${name}-`));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const event = options.event ?? 'push';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: join(EVENTS, options.eventFile ?? `${event}.json`),
    GITHUB_REPOSITORY: 'housing-mlops/housing-mlops',
    GITHUB_SHA: '9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: options.cwd ?? ROOT,
    RUNNER_TEMP: dir,
    ...options.env,
  };
  // The runner turns each input into INPUT_<NAME upper-cased, spaces to _>; dashes stay.
  for (const [key, value] of Object.entries(options.inputs ?? {}))
    env[`INPUT_${key.replace(/ /g, '_').toUpperCase()}`] = value;
  const child = spawn(
    process.execPath,
    [join(options.root ?? ROOT, 'actions', name, 'dist/index.js')],
    {
      cwd: options.cwd ?? ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stdout += c.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  const result: ActionRun = {
    code,
    stdout,
    outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
    annotations: parseAnnotations(stdout),
  };
  await rm(dir, { recursive: true, force: true });
  return result;
}
