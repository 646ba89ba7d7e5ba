/**
 * Where a server's main thread spends its time per request, from a V8 CPU
 * profile taken under load (`node --cpu-prof`, see BENCHMARKS.md):
 *
 *   node --import tsx service/bench/profile-parts.ts <file.cpuprofile> <requests>
 *
 * Each sample from the first request on goes to the innermost frame of its
 * stack that names a part of the request path; the rest is Node's HTTP
 * machinery and everything else. Samples are wall time on the main thread,
 * so on a busy machine every figure is inflated alike: compare the parts, and
 * compare runs taken side by side.
 */
import { readFile } from 'node:fs/promises';
import { ConfigurationError } from '@housing/core/errors';
import { runCli } from '@housing/core/run-cli';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Parts of the request path, by the function (and, for native code, the file) that does them. */
const PARTS: [part: string, matches: (frame: CallFrame) => boolean][] = [
  ['onnxruntime run (native)', (f) => f.url.endsWith('onnxruntime-node/dist/backend.js')],
  ['socket writes (writev)', (f) => ['writev', 'writevGeneric'].includes(f.functionName)],
  ['read + JSON.parse body', (f) => ['readJsonBody', 'readText', 'onEnd'].includes(f.functionName)],
  ['check row (ajv)', (f) => f.functionName === 'checkRow'],
  ['request id (randomUUID)', (f) => f.functionName === 'assignRequestId'],
  [
    'metrics + drift',
    (f) => ['instrumentRequest', 'recordPrediction', 'watchDelivery'].includes(f.functionName),
  ],
  [
    'rows to tensors, coalescing',
    (f) => ['flush', 'runColumns', 'toColumns', 'predict'].includes(f.functionName),
  ],
  ['response (JSON, headers)', (f) => ['sendJson', 'sendError'].includes(f.functionName)],
  [
    'prediction log (queue, batch JSON, post to the store thread)',
    (f) => ['record', 'take', 'writeBatches', 'insertPredictions'].includes(f.functionName),
  ],
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
  ['(program)', (f) => f.functionName === '(program)'],
  ['idle', (f) => f.functionName === '(idle)'],
];
const REST = "node:http and the rest (the bare server's JSON.parse too)";
/** The parts a request starts with: samples before the first of them are start-up. */
const FIRST = new Set(['read + JSON.parse body', 'socket writes (writev)']);

const USAGE = 'usage: profile-parts.ts <file.cpuprofile> <requests answered while profiling>';

runCli(async ([file, count]) => {
  const requests = Number(count);
  if (!file) throw new ConfigurationError(`no profile file given; ${USAGE}`, 'argument 1');
  if (!Number.isInteger(requests) || requests <= 0)
    throw new ConfigurationError(
      `'${count ?? ''}' is not a number of requests; ${USAGE}`,
      'argument 2',
    );
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);

  const partCache = new Map<number, string>();
  function partOf(id: number): string {
    const cached = partCache.get(id);
    if (cached) return cached;
    let part = REST;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)!.callFrame;
      const found = PARTS.find(([, matches]) => matches(frame));
      if (found) {
        part = found[0];
        break;
      }
    }
    partCache.set(id, part);
    return part;
  }

  const micros = new Map<string, number>();
  let started = false;
  profile.samples.forEach((id, i) => {
    const part = partOf(id);
    started ||= FIRST.has(part);
    if (started) micros.set(part, (micros.get(part) ?? 0) + profile.timeDeltas[i]!);
  });
  micros.delete('idle');
  const busy = [...micros.values()].reduce((a, b) => a + b, 0);
  console.log(
    `${file}: ${requests} requests, main thread busy ${(busy / 1000).toFixed(0)} ms = ${(busy / requests).toFixed(1)} µs a request`,
  );
  for (const [part, us] of [...micros].sort((a, b) => b[1] - a[1]))
    console.log(
      `  ${part.padEnd(58)} ${(us / requests).toFixed(1).padStart(6)} µs  ${((100 * us) / busy).toFixed(1).padStart(5)}%`,
    );
});
