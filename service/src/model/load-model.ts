import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type * as ort from 'onnxruntime-node';
import type { ModelCard } from '../../../pipeline/src/card/card.ts';
import { ConfigurationError, errnoCode, errorMessage } from '../../../pipeline/src/util/errors.ts';
import { coalesce } from './coalesce.ts';
import { createSession, graphSpec, runColumns, toColumns } from './onnx-session.ts';
import { WorkerSession } from './worker-session.ts';

/** The most rows one coalesced onnxruntime call carries. */
const COALESCE_MAX_ROWS = 4096;
/**
 * From this many rows a request runs on the worker thread. Below it the
 * thread hop costs more than it frees: one call on the event loop costs
 * about 50 µs for 1 row and 120 µs for 64, but 1.2 ms for 1,000.
 */
const WORKER_MIN_ROWS = 256;

/** One request row: raw features by name. */
export type Row = Record<string, unknown>;

/**
 * A model ready to serve: its card, its compiled input contract, and two
 * onnxruntime sessions behind `predict` (one on the event loop for small
 * runs, one on a worker thread for large ones).
 */
export interface LoadedModel {
  card: ModelCard;
  version: string;
  /** ajv's validator for one row, compiled once per model. */
  validateRow: ValidateFunction;
  loadedAt: Date;
  /** Predicts rows that passed validation. */
  predict(rows: Row[]): Promise<Float32Array>;
  /** Frees what the model holds beyond memory (its worker thread) once its runs in flight end. */
  retire(): void;
}

/** The files a model folder must hold. */
export const MODEL_FILE = 'model.onnx';
export const CARD_FILE = 'model.card.json';

/**
 * Loads, checks and warms a model folder, off the request path. A missing
 * file, a corrupt graph, or a card that contradicts the graph (inputs, types,
 * output) is a ConfigurationError that says which.
 */
export async function loadModel(
  dir: string,
  hooks: {
    /** The model's inference worker died; its large batches now run on the event loop. */
    onWorkerCrash?: (modelVersion: string, reason: string) => void;
  } = {},
): Promise<LoadedModel> {
  const cardPath = join(dir, CARD_FILE);
  const onnxPath = join(dir, MODEL_FILE);
  let card: ModelCard;
  try {
    card = JSON.parse(await readFile(cardPath, 'utf8')) as ModelCard;
  } catch (error) {
    throw new ConfigurationError(
      errnoCode(error)
        ? `cannot read the model card (${errnoCode(error)})`
        : 'the model card is not valid JSON',
      cardPath,
    );
  }
  if (
    typeof card.model_version !== 'string' ||
    !card.input_contract ||
    !Array.isArray(card.onnx?.inputs)
  ) {
    throw new ConfigurationError(
      'the model card lacks model_version, input_contract or onnx.inputs',
      cardPath,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(onnxPath);
  } catch (error) {
    throw new ConfigurationError(
      `cannot read the model (${errnoCode(error) ?? 'unreadable'})`,
      onnxPath,
    );
  }
  let session: ort.InferenceSession;
  try {
    session = await createSession(bytes);
  } catch (error) {
    throw new ConfigurationError(
      `onnxruntime cannot load the model: ${errorMessage(error).split('\n')[0]}`,
      onnxPath,
    );
  }
  const graphInputs = [...session.inputNames].sort();
  const cardInputs = card.onnx.inputs.map((i) => i.name).sort();
  if (JSON.stringify(graphInputs) !== JSON.stringify(cardInputs)) {
    await session.release();
    throw new ConfigurationError(
      `the card's inputs (${cardInputs.join(', ')}) contradict the graph's (${graphInputs.join(', ')})`,
      cardPath,
    );
  }
  if (!session.outputNames.includes(card.onnx.output)) {
    await session.release();
    throw new ConfigurationError(
      `the card's output '${card.onnx.output}' is not an output of the graph (${session.outputNames.join(', ')})`,
      cardPath,
    );
  }
  let validateRow: ValidateFunction;
  try {
    validateRow = new Ajv2020({ allErrors: true, strict: false }).compile(card.input_contract);
  } catch (error) {
    await session.release();
    throw new ConfigurationError(
      `the card's input_contract does not compile: ${errorMessage(error)}`,
      cardPath,
    );
  }
  const spec = graphSpec(card);
  let worker: WorkerSession;
  try {
    worker = await WorkerSession.start(bytes, spec, (reason) =>
      hooks.onWorkerCrash?.(card.model_version, reason),
    );
  } catch (error) {
    await session.release();
    throw new ConfigurationError(
      `onnxruntime cannot load the model on the inference worker: ${errorMessage(error)}`,
      onnxPath,
    );
  }
  const onThisThread = coalesce(
    (rows: Row[]) => runColumns(session, spec, toColumns(rows, spec)),
    COALESCE_MAX_ROWS,
  );
  const model: LoadedModel = {
    card,
    version: card.model_version,
    validateRow,
    loadedAt: new Date(),
    predict: (rows) =>
      rows.length >= WORKER_MIN_ROWS && worker.alive
        ? worker.run(toColumns(rows, spec))
        : onThisThread(rows),
    retire: () => worker.retire(),
  };
  // Warm both sessions on a typical row (the reference medians): each must answer, with the
  // same number. Each gets its own columns: a run on the worker takes its buffers.
  const warm = await Promise.all([
    runColumns(session, spec, toColumns([typicalRow(card)], spec)),
    worker.run(toColumns([typicalRow(card)], spec)),
  ]).catch(async (error: unknown) => {
    worker.retire();
    await session.release();
    throw new ConfigurationError(
      `the model fails on a typical row: ${errorMessage(error).split('\n')[0]}`,
      onnxPath,
    );
  });
  const [here, there] = warm.map((output) => output[0]);
  if (!Number.isFinite(here) || here !== there) {
    worker.retire();
    await session.release();
    throw new ConfigurationError(
      `the model predicts ${here} for a typical row${here === there ? '' : ` (${there} on the inference worker)`}`,
      onnxPath,
    );
  }
  return model;
}

/** A row of each column's reference median (or most common category). */
export function typicalRow(card: ModelCard): Row {
  const row: Row = {};
  for (const { name } of card.onnx.inputs) {
    const profile = card.reference_profile.columns[name];
    if (profile?.kind === 'numeric') row[name] = profile.quantiles['0.5'];
    else if (profile?.kind === 'categorical')
      row[name] = profile.categories[profile.shares.indexOf(Math.max(...profile.shares))];
  }
  return row;
}
