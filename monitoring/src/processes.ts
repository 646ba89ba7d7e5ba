import { spawn, type SpawnOptions } from 'node:child_process';
import { ConfigurationError } from '@housing/core/errors';
import { freePort } from '@housing/core/free-port';
import { which } from '@housing/core/which';

/** A child process the stack started, with its output kept for error messages. */
export interface ManagedProcess {
  name: string;
  pid: number;
  /** The last lines of stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (or null after a signal) when the process ends. */
  exited: Promise<number | null>;
  /** Whether stop() was called: an exit before that is a crash. */
  readonly stopRequested: boolean;
  /** Sends `signal` to this PID (nothing else) and waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const KEEP_LINES = 200;

/** Starts a program with piped output; never a shell. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions = {},
): ManagedProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => done(code));
    child.once('error', (error) => {
      lines.push(String(error));
      done(null);
    });
  });
  const pid = child.pid;
  let stopRequested = false;
  const running = () => child.exitCode === null && child.signalCode === null;
  // The process may end between the check and the kill: ESRCH is not an error here.
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  return {
    name,
    pid,
    output: () => lines.join('\n'),
    exited,
    get stopRequested() {
      return stopRequested;
    },
    async stop(name = 'SIGTERM', graceMs = 10_000) {
      stopRequested = true;
      if (!running()) return;
      signal(name);
      const timer = setTimeout(() => {
        if (running()) signal('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `url` until it answers 2xx. Fails early, with the process's output,
 * if the process exits first.
 */
export async function waitForHttp(
  url: string,
  proc: ManagedProcess,
  timeoutMs = 60_000,
): Promise<void> {
  let exited = false;
  void proc.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${proc.name} exited before ${url} answered:\n${proc.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${proc.name}: ${url} did not answer within ${timeoutMs} ms:\n${proc.output()}`);
}

/** Re-exported: whoever starts a process with these helpers usually needs a port for it. */
export { freePort };

/** The first of `names` on PATH, or a ConfigurationError that says how to install it. */
export function requireBinary(names: string[], install: string): string {
  for (const name of names) {
    const path = which(name);
    if (path) return path;
  }
  throw new ConfigurationError(`${names.join(' or ')} is not on PATH; install it: ${install}`);
}
