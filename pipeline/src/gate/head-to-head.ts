import { dirname, join } from 'node:path';
import { checkOnnxMatchesCard } from '@housing/model-card/identity';
import { MAX_MODEL_BYTES, readModelCard } from '@housing/model-card/read';
import { readRegularFile } from '@housing/model-card/regular-file';
import type { CompiledContract } from '../contract/contract.ts';
import type { CsvLimits } from '../data/csv.ts';
import { evaluationRows } from './evaluation-rows.ts';
import type { GateResult } from './gate.ts';
import { scoreOnRows, type ScoredModel } from './score.ts';

export type { ScoredModel } from './score.ts';

/** A model as the head-to-head reads it: its card and its ONNX graph. */
export interface ModelFiles {
  card: string;
  /** Default: `model.onnx` beside the card. */
  onnx?: string | undefined;
}

/**
 * Champion and challenger scored on identical rows: the candidate's own
 * evaluation rows (its held-out test split), in one process, each through
 * its own onnxruntime session.
 */
export interface HeadToHead {
  data: { path: string; split: 'test' | 'all'; seed: number; rows: number };
  candidate: ScoredModel;
  baseline: ScoredModel;
}

/** What `npm run gate` writes: the gate's verdict and, when it scored both models, how. */
export interface GateReport extends GateResult {
  head_to_head?: HeadToHead;
}

/**
 * Scores the baseline and the candidate on the candidate's evaluation rows.
 * Each graph must be the one its card describes (hash and version), so the
 * versions the report names are the graphs that were scored.
 */
export async function headToHead(options: {
  candidate: ModelFiles;
  baseline: ModelFiles;
  contract: CompiledContract;
  limits?: Readonly<CsvLimits>;
}): Promise<HeadToHead> {
  const candidate = await readModel(options.candidate);
  const baseline = await readModel(options.baseline);
  const rows = await evaluationRows(
    candidate.card,
    options.candidate.card,
    options.contract,
    options.limits,
  );
  const target = options.contract.columns.target;
  return {
    data: { path: rows.path, split: rows.split, seed: rows.seed, rows: rows.data.rows },
    // One after the other: each session gets the cores to itself.
    candidate: await scoreOnRows(candidate, rows.data, target),
    baseline: await scoreOnRows(baseline, rows.data, target),
  };
}

async function readModel(files: ModelFiles) {
  const onnxPath = files.onnx ?? join(dirname(files.card), 'model.onnx');
  const card = await readModelCard(files.card);
  const onnx = await readRegularFile(onnxPath, 'model', MAX_MODEL_BYTES);
  checkOnnxMatchesCard(onnx, card, onnxPath, files.card);
  return { card, onnx, onnxPath, version: card.model_version };
}

/** Which rows both were scored on, in a sentence. */
export function headToHeadRows(h: HeadToHead): string {
  const { data } = h;
  return data.split === 'test'
    ? `the same ${data.rows} rows: the candidate's test split of ${data.path} (seed ${data.seed})`
    : `the same ${data.rows} rows: all of ${data.path}`;
}
