import { execFile, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CommandError } from '@housing/core/errors';
import { readDockerfile } from './dockerfile.ts';
import { ROOT } from './root.ts';

const exec = promisify(execFile);

/** What to do when no engine answers: how the container lane gets one. */
export const ENGINE_HELP =
  'no Docker engine answers at DOCKER_HOST' +
  ` (${process.env.DOCKER_HOST ?? 'unset: the default socket'}). ` +
  'Run the container lane as root: .ci/containers/lane.sh (installs docker.io, starts a private dockerd, ' +
  'builds the stand-in base images, runs these tests and stops dockerd), or start an engine with ' +
  '.ci/containers/dockerd.sh start and export DOCKER_HOST=unix://$HOUSING_DOCKER_STATE/docker.sock';

/** Why the engine cannot be used, or undefined when `docker version` reaches a server. */
export function engineProblem(): string | undefined {
  const probe = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (probe.error) return `${ENGINE_HELP} (docker: ${probe.error.message})`;
  if (probe.status !== 0) return `${ENGINE_HELP} (${probe.stderr.trim().split('\n').at(-1)})`;
  return undefined;
}

/**
 * Whether a container suite must be skipped: only outside CI. With CI=true a
 * missing engine never skips; the suite's beforeAll throws `engineProblem()`.
 */
export function skipWithoutEngine(suite: string): boolean {
  const problem = engineProblem();
  if (problem === undefined || process.env.CI) return false;
  console.warn(`skipping ${suite}: ${problem}`);
  return true;
}

/** Runs the docker CLI; its stdout, trimmed. A failure is a CommandError with stderr's tail. */
export async function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await exec('docker', args, {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: timeoutMs,
    });
    return stdout.trim();
  } catch (error) {
    const failed = error as { code?: number | string; signal?: NodeJS.Signals; stderr?: string };
    throw new CommandError(
      ['docker', ...args],
      typeof failed.code === 'number' ? failed.code : null,
      `${failed.stderr ?? ''}${typeof failed.code === 'string' ? ` (${failed.code})` : ''}`,
      failed.signal ?? null,
    );
  }
}

/**
 * A build context as a fresh clone would give it: the checkout's files that
 * git tracks or would track (no node_modules, dist or models), plus `extra`
 * files (path in the context -> file on disk), such as the model the
 * pipeline would have produced. The repository's .dockerignore still applies.
 */
export async function buildContext(extra: Record<string, string> = {}): Promise<string> {
  const context = await mkdtemp(join(tmpdir(), 'docker-context-'));
  const listed = spawnSync('git', ['ls-files', '-z', '-co', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (listed.status !== 0)
    throw new CommandError(['git', 'ls-files'], listed.status, listed.stderr);
  const files = [
    ...listed.stdout
      .split('\0')
      .filter((f) => f !== '')
      .map((f) => [f, join(ROOT, f)] as const),
    ...Object.entries(extra),
  ];
  for (const [inContext, source] of files) {
    const target = join(context, inContext);
    await mkdir(dirname(target), { recursive: true });
    // A tracked file deleted in the working tree is not part of the context.
    await cp(source, target).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  return context;
}

/**
 * Builds an image from a real Dockerfile, never from cache: a cached layer
 * could hide a dependency the Dockerfile no longer installs. Base images are
 * the local ones (the stand-ins); nothing is pulled.
 */
export async function buildImage(context: string, dockerfile: string, tag: string): Promise<void> {
  await docker(
    [
      'build',
      '--no-cache',
      '--progress=plain',
      '-f',
      join(context, dockerfile),
      '-t',
      tag,
      context,
    ],
    15 * 60_000,
  );
}

/** An image's size in bytes, as `docker images` reports it. */
export async function imageSize(image: string): Promise<number> {
  return Number(await docker(['image', 'inspect', '--format', '{{.Size}}', image]));
}

/** The state docker inspect reports for a container, with its health when it has a HEALTHCHECK. */
interface ContainerState {
  Status: string;
  Running: boolean;
  ExitCode: number;
  Health?: { Status: string; Log?: { ExitCode: number; Output: string }[] };
}

/** A container's state. */
export async function containerState(id: string): Promise<ContainerState> {
  return JSON.parse(await docker(['inspect', '--format', '{{json .State}}', id])) as ContainerState;
}

/**
 * Waits until Docker's own HEALTHCHECK reports the container healthy. Fails at
 * once, with the container's logs, when it turns unhealthy or exits.
 */
export async function waitHealthy(id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await containerState(id);
    if (state.Health?.Status === 'healthy') return;
    const why = !state.Running
      ? `exited ${state.ExitCode}`
      : state.Health?.Status === 'unhealthy'
        ? 'turned unhealthy'
        : Date.now() > deadline
          ? `not healthy after ${timeoutMs} ms (health: ${state.Health?.Status ?? 'none'})`
          : undefined;
    if (why) {
      const logs = await containerLogs(id, 30).catch(() => '');
      const checks = (state.Health?.Log ?? []).map((l) => `${l.ExitCode}: ${l.Output}`).join('');
      throw new Error(`container ${id.slice(0, 12)} ${why}\nlogs:\n${logs}\nchecks:\n${checks}`);
    }
    await new Promise((done) => setTimeout(done, 500));
  }
}

/** `docker logs` of a container (its last `tail` lines of each stream), stdout and stderr together. */
export async function containerLogs(id: string, tail = Infinity): Promise<string> {
  const args = ['logs', ...(tail === Infinity ? [] : ['--tail', String(tail)]), id];
  const { stdout, stderr } = await exec('docker', args, { encoding: 'utf8' });
  return `${stdout}${stderr}`;
}

/** The host address (127.0.0.1:port) that a container's port is published on. */
export async function publishedAddress(id: string, port: number): Promise<string> {
  return (await docker(['port', id, `${port}/tcp`])).split('\n')[0]!;
}

/**
 * `docker stop` with a timeout longer than any drain: how long the stop took
 * and the exit code the process chose (137 would mean Docker had to kill it).
 */
export async function stopContainer(
  id: string,
  timeoutSeconds: number,
): Promise<{ ms: number; exitCode: number }> {
  const started = Date.now();
  await docker(['stop', '--time', String(timeoutSeconds), id], (timeoutSeconds + 30) * 1000);
  const ms = Date.now() - started;
  return { ms, exitCode: (await containerState(id)).ExitCode };
}

/** Removes containers and images a test made, and its temporary folders; never fails. */
export async function cleanUp(
  things: { containers?: string[]; images?: string[]; dirs?: string[] } = {},
): Promise<void> {
  // Empty names are what a beforeAll that failed early leaves behind.
  const given = (names: string[] = []) => names.filter((n) => n !== '');
  for (const id of given(things.containers)) await docker(['rm', '-f', id]).catch(() => undefined);
  for (const image of given(things.images))
    await docker(['image', 'rm', '-f', image]).catch(() => undefined);
  for (const dir of given(things.dirs)) await rm(dir, { recursive: true, force: true });
}

/** The uid a container's main process runs as (0 would be root). */
export async function containerUid(id: string): Promise<number> {
  return Number(await docker(['exec', id, 'node', '-p', 'process.getuid()']));
}

/** The default of a Dockerfile's `ARG NODE_IMAGE=...`: the base image it builds on. */
export function nodeImage(instructions: { op: string; args: string }[]): string {
  const arg = instructions.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
  if (!arg) throw new Error('the Dockerfile has no ARG NODE_IMAGE=... default');
  return arg.args.slice('NODE_IMAGE='.length);
}

/** Bytes in a MiB, for size budgets. */
export const MiB = 1024 * 1024;

/** One project image under test: built from its Dockerfile, running as one container. */
export interface ImageUnderTest {
  /** The image's tag, unique to this test run. */
  tag: string;
  /** The base image its Dockerfile names (ARG NODE_IMAGE's default). */
  base: string;
  /** The running container's id. */
  id: string;
  /** Builds the image (never from cache) and starts it detached with `runArgs`. */
  setUp(): Promise<void>;
  /** Removes the container, the image and the build context, whatever happened. */
  tearDown(): Promise<void>;
}

/**
 * An image from `dockerfile` (relative to the repository root), built from a
 * fresh-clone context plus `extra` files, started with `docker run --detach
 * <runArgs> <tag>`. setUp throws engineProblem() when no engine answers.
 */
export function imageUnderTest(options: {
  dockerfile: string;
  name: string;
  extra?: () => Promise<Record<string, string>>;
  runArgs: string[];
}): ImageUnderTest {
  let context = '';
  const image: ImageUnderTest = {
    tag: `${options.name}:test-${process.pid}`,
    base: '',
    id: '',
    async setUp() {
      const problem = engineProblem();
      if (problem) throw new Error(problem);
      image.base = nodeImage((await readDockerfile(join(ROOT, options.dockerfile))).instructions);
      context = await buildContext((await options.extra?.()) ?? {});
      await buildImage(context, options.dockerfile, image.tag);
      image.id = await docker(['run', '--detach', ...options.runArgs, image.tag]);
    },
    tearDown: () => cleanUp({ containers: [image.id], images: [image.tag], dirs: [context] }),
  };
  return image;
}
