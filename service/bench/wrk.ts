import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from '@housing/core/which';

/** What one wrk run measured: req/s, latency percentiles (ms), requests answered. */
export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
}

/** True when Debian's `wrk` (apt-get install wrk) is on the PATH. */
export function wrkInstalled(): boolean {
  return which('wrk') !== undefined;
}

/**
 * Drives `url` with wrk: one thread (the client's share of this 2-core
 * machine, as autocannon's single event loop), `connections` keep-alive
 * connections, POSTing `body` as JSON for `seconds`. A C client spends less
 * CPU per request than autocannon, so the server gets more of the machine,
 * and a ratio to the bare server shows more of the server's own cost.
 * Any non-2xx answer or socket error rejects.
 */
export async function wrk(
  url: string,
  body: string,
  connections: number,
  seconds: number,
): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    const script = join(dir, 'post.lua');
    // A Lua long string holds the body verbatim; the level makes its closing bracket unique.
    let level = '';
    while (body.includes(`]${level}]`)) level += '=';
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [${level}[${body}]${level}]\n`,
    );
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url];
    return parseWrk(url, await run('wrk', args));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited with ${code}:\n${out}`)),
    );
  });
}

/** wrk's latency figure ("812.00us", "1.25ms", "2.01s") in milliseconds. */
function millis(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) throw new Error(`wrk printed a latency '${text}' this bench cannot read`);
  const scale = { us: 1e-3, ms: 1, s: 1e3, m: 6e4 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(match[1]) * scale;
}

/** The figures of wrk's report, which must show no error and no non-2xx answer. */
export function parseWrk(url: string, out: string): WrkResult {
  const line = (pattern: RegExp) => pattern.exec(out)?.[1];
  const errors = line(/Non-2xx or 3xx responses: (\d+)/) ?? line(/Socket errors: (.*)/);
  if (errors !== undefined) throw new Error(`${url}: wrk saw errors (${errors}):\n${out}`);
  const rps = line(/Requests\/sec:\s+([\d.]+)/);
  const requests = line(/(\d+) requests in /);
  const p50 = line(/\s50%\s+(\S+)/);
  const p99 = line(/\s99%\s+(\S+)/);
  if (!rps || !requests || !p50 || !p99)
    throw new Error(`${url}: wrk's report unreadable:\n${out}`);
  return { rps: Number(rps), requests: Number(requests), p50: millis(p50), p99: millis(p99) };
}
