import { readFile } from 'node:fs/promises';
import type * as ort from 'onnxruntime-node';
import { readModelCard } from '@housing/model-card/read';
import {
  createSession,
  graphSpec,
  runColumns,
  toColumns,
  type GraphSpec,
} from '../src/model/onnx-session.ts';
import type { Row } from '../src/model/row.ts';

/** One model's CPU per call, and its ratio to the first model's within each round. */
export interface PerCall {
  dir: string;
  /** Median CPU µs per call over the rounds. */
  micros: number;
  /** Median over the rounds of this model's CPU per call over the first model's. */
  ratio: number;
}

const CALLS = 2000;
const WARM_CALLS = 200;

/**
 * onnxruntime's CPU per call on the service's own scoring path (rows to
 * columns to tensors to `session.run`, one intra-op thread), in process, for
 * `rows` copies of `row`. With several models, each round times every model
 * in turn, so their ratios are taken on the same machine; on a shared
 * machine CPU time (process.cpuUsage) moves less than wall time.
 */
export async function perCallMicros(
  dirs: string[],
  row: Row,
  rows: number,
  rounds: number,
): Promise<PerCall[]> {
  const models: { dir: string; spec: GraphSpec; session: ort.InferenceSession }[] = [];
  for (const dir of dirs) {
    const card = await readModelCard(`${dir}/model.card.json`);
    const session = await createSession(await readFile(`${dir}/model.onnx`));
    models.push({ dir, spec: graphSpec(card), session });
  }
  const batch = Array.from({ length: rows }, () => ({ ...row }));
  const samples = models.map((): number[] => []);
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [i, { spec, session }] of models.entries()) {
        const call = () => runColumns(session, spec, toColumns(batch, spec));
        for (let k = 0; k < WARM_CALLS; k++) await call();
        const started = process.cpuUsage();
        for (let k = 0; k < CALLS; k++) await call();
        const used = process.cpuUsage(started);
        samples[i]!.push((used.user + used.system) / CALLS);
      }
    }
  } finally {
    for (const { session } of models) await session.release();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return models.map(({ dir }, i) => ({
    dir,
    micros: median(samples[i]!),
    ratio: median(samples[i]!.map((s, round) => s / samples[0]![round]!)),
  }));
}
