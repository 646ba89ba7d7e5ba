import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { connect } from 'node:net';

/** One process, as /proc describes it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The command line, arguments joined by spaces. */
  command: string;
  /** Resident memory in bytes. */
  rssBytes: number;
}

const PAGE_BYTES = 4096;

/** A live (not zombie) process, or undefined when it is gone. */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(fields[1]), command, rssBytes: Number(fields[21]) * PAGE_BYTES };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `pid` (children, their children...), walking /proc by PPID. */
export function descendants(pid: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => processInfo(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
  const found: ProcessInfo[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const child of all.filter((p) => p.ppid === parent)) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** The processes of `pids` still alive after waiting up to `timeoutMs` for them to end. */
export async function survivors(pids: number[], timeoutMs = 30_000): Promise<ProcessInfo[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.map(processInfo).filter((p): p is ProcessInfo => p !== undefined);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Cleanup after a failed test: SIGKILL each process still alive, by PID. */
export function killSurvivors(pids: number[]): void {
  for (const pid of pids) {
    try {
      if (processInfo(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Whether a TCP connection to 127.0.0.1:port is accepted. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** This process's environment without the npm_* variables an outer npm sets: a user's shell. */
export function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
    ),
    ...extra,
  };
}

/** npm running a script, as a user starts it from a shell. */
export interface NpmRun {
  child: ChildProcess;
  pid: number;
  /** stdout lines and stderr chunks so far. */
  output: string[];
  /** The first stdout line `isReady` accepts; rejects if npm ends or fails first. */
  ready: Promise<string>;
  /** npm's exit code, or its signal. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** Spawns `npm <args>` in `cwd` with a user's environment plus `env`; no shell. */
export function spawnNpm(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  isReady: (line: string) => boolean,
  options: { detached?: boolean } = {},
): NpmRun {
  const child = spawn('npm', args, {
    cwd,
    env: shellEnv({ CI: 'true', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  const output: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal)),
  );
  const ready = new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      if (isReady(line)) done(line);
    });
    child.once('error', fail);
    void exited.then(() =>
      fail(new Error(`npm ${args.join(' ')} ended before it was ready:\n${output.join('\n')}`)),
    );
  });
  return { child, pid: child.pid!, output, ready, exited };
}
