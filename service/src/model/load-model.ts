import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type * as ort from 'onnxruntime-node';
import { modelVersionOf, onnxSha256, type ModelCard } from '@housing/pipeline/card';
import { ConfigurationError, errnoCode, errorMessage } from '@housing/core/errors';
import { readHandleAtMost } from '@housing/core/read-text';
import { checkCardShape, checkContractServesGraph, checkInputProfiles } from './card-shape.ts';
import { coalesce } from './coalesce.ts';
import { createSession, graphSpec, runColumns, toColumns, type GraphSpec } from './onnx-session.ts';
import { WorkerSession } from './worker-session.ts';

/** The most rows one coalesced onnxruntime call carries. */
const COALESCE_MAX_ROWS = 4096;
/**
 * From this many rows a request runs on the worker thread. Below it the
 * thread hop costs more than it frees: one call on the event loop costs
 * about 50 µs for 1 row and 120 µs for 64, but 1.2 ms for 1,000.
 */
const WORKER_MIN_ROWS = 256;

import type { Row } from './row.ts';

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
 * The largest card and ONNX file a load reads. A card is metadata of ~16 KB
 * and a graph of this project a few MB; a file past these is not a model, and
 * read whole it would cost its size in memory (and the card as much again as a
 * string) before being found wrong. onnxruntime cannot load a graph past 2 GiB.
 */
export const MAX_CARD_BYTES = 16 * 2 ** 20;
export const MAX_MODEL_BYTES = 2 ** 30;

/**
 * Loads, checks and warms a model folder, off the request path. A missing
 * file, a malformed card, an ONNX file that is not the one the card
 * describes, a corrupt graph, or a card that contradicts the graph (inputs,
 * types, output) is a ConfigurationError that says which. A load that fails
 * releases everything it started (the inference worker, both onnxruntime
 * sessions) before it throws.
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
  // What needs only the card runs first, before anything is started that must be released.
  const card = checkCardShape(await readJson(cardPath), cardPath);
  const bytes = await readOnnx(onnxPath);
  let validateRow: ValidateFunction;
  try {
    validateRow = new Ajv2020({ allErrors: true, strict: false }).compile(card.input_contract);
  } catch (error) {
    throw new ConfigurationError(
      `the card's /input_contract does not compile: ${errorMessage(error)}`,
      cardPath,
    );
  }
  const spec = graphSpec(card);

  let session: ort.InferenceSession | undefined;
  let worker: WorkerSession | undefined;
  try {
    // A corrupt file is reported as what it is before the hash says it is not the card's.
    session = await openSession(bytes, onnxPath);
    checkOnnxMatchesCard(bytes, card, onnxPath, cardPath);
    checkGraph(session, card, cardPath);
    checkInputProfiles(card, cardPath);
    const typical = typicalRow(card);
    checkContractServesGraph(card, validateRow, typical, cardPath);
    worker = await WorkerSession.start(bytes, spec, (reason) =>
      hooks.onWorkerCrash?.(card.model_version, reason),
    ).catch((error: unknown) => {
      throw new ConfigurationError(
        `onnxruntime cannot load the model on the inference worker: ${errorMessage(error)}`,
        onnxPath,
      );
    });
    await warm(session, worker, spec, typical, onnxPath);
  } catch (error) {
    worker?.stop();
    await session?.release().catch(() => undefined);
    throw error;
  }
  return servingModel(card, validateRow, spec, session, worker);
}

/** The card, parsed; its shape is checked by the caller. */
async function readJson(cardPath: string): Promise<unknown> {
  const text = (await readRegularFile(cardPath, 'model card', MAX_CARD_BYTES)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConfigurationError('the model card is not valid JSON', cardPath);
  }
}

async function readOnnx(onnxPath: string): Promise<Buffer> {
  return readRegularFile(onnxPath, 'model', MAX_MODEL_BYTES);
}

/**
 * Reads a model folder's file, which must be a regular file of at most
 * `maxBytes`. A FIFO would never end (and hold the load, every reload after
 * it and the shutdown), and a device such as /dev/zero would be read until
 * memory runs out. Opened non-blocking, so that opening a FIFO does not wait
 * for a writer either. The size is checked before reading, and again while
 * reading: a file may grow meanwhile, and some (in /proc) report size 0.
 */
async function readRegularFile(path: string, what: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new ConfigurationError(
      `cannot read the ${what} (${errnoCode(error) ?? 'unreadable'})`,
      path,
    );
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile())
      throw new ConfigurationError(
        `the ${what} is not a regular file (${stats.isDirectory() ? 'a directory' : stats.isFIFO() ? 'a FIFO' : 'a device or socket'})`,
        path,
      );
    const tooLarge = (size: string) =>
      new ConfigurationError(`the ${what} is larger than ${maxBytes} bytes (${size})`, path);
    if (stats.size > maxBytes) throw tooLarge(`${stats.size} bytes`);
    const bytes = await readHandleAtMost(handle, maxBytes);
    if (!bytes) throw tooLarge('it grew while being read');
    return bytes;
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError(
      `cannot read the ${what} (${errnoCode(error) ?? 'unreadable'})`,
      path,
    );
  } finally {
    await handle.close();
  }
}

/**
 * The ONNX file must be the one the card describes: its sha256 is the card's
 * `onnx.sha256`, and the card's version is the one derived from those bytes
 * (as the evaluate stage derives it). Otherwise one version name could serve
 * two graphs: a model.onnx from another run beside an old card, say.
 */
function checkOnnxMatchesCard(
  bytes: Uint8Array,
  card: ModelCard,
  onnxPath: string,
  cardPath: string,
): void {
  const sha256 = onnxSha256(bytes);
  if (sha256 !== card.onnx.sha256)
    throw new ConfigurationError(
      `the file's sha256 is ${sha256}, but the card's /onnx/sha256 is ${card.onnx.sha256}: this is not the model the card describes`,
      onnxPath,
    );
  const version = modelVersionOf(card.model_type, sha256);
  if (card.model_version !== version)
    throw new ConfigurationError(
      `the card's /model_version is ${card.model_version}, but its ${card.model_type} graph (sha256 ${sha256}) is version ${version}`,
      cardPath,
    );
}

async function openSession(bytes: Uint8Array, onnxPath: string): Promise<ort.InferenceSession> {
  try {
    return await createSession(bytes);
  } catch (error) {
    throw new ConfigurationError(
      `onnxruntime cannot load the model: ${errorMessage(error).split('\n')[0]}`,
      onnxPath,
    );
  }
}

/** The card's inputs and output must be the graph's. */
function checkGraph(session: ort.InferenceSession, card: ModelCard, cardPath: string): void {
  const graphInputs = [...session.inputNames].sort();
  const cardInputs = card.onnx.inputs.map((i) => i.name).sort();
  if (JSON.stringify(graphInputs) !== JSON.stringify(cardInputs))
    throw new ConfigurationError(
      `the card's inputs (${cardInputs.join(', ')}) contradict the graph's (${graphInputs.join(', ')})`,
      cardPath,
    );
  if (!session.outputNames.includes(card.onnx.output))
    throw new ConfigurationError(
      `the card's output '${card.onnx.output}' is not an output of the graph (${session.outputNames.join(', ')})`,
      cardPath,
    );
}

/**
 * Runs both sessions on a typical row: each must answer, with the same finite
 * number. Waits for both runs either way, so a failure releases neither
 * session while it is still running.
 */
async function warm(
  session: ort.InferenceSession,
  worker: WorkerSession,
  spec: GraphSpec,
  typical: Row,
  onnxPath: string,
): Promise<void> {
  // Each run gets its own columns: a run on the worker takes its buffers.
  const [here, there] = await Promise.allSettled([
    runColumns(session, spec, toColumns([typical], spec)),
    worker.run(toColumns([typical], spec)),
  ]);
  for (const outcome of [here, there])
    if (outcome?.status === 'rejected')
      throw new ConfigurationError(
        `the model fails on a typical row: ${errorMessage(outcome.reason).split('\n')[0]}`,
        onnxPath,
      );
  const a = here?.status === 'fulfilled' ? here.value[0] : undefined;
  const b = there?.status === 'fulfilled' ? there.value[0] : undefined;
  if (a === undefined || !Number.isFinite(a) || a !== b)
    throw new ConfigurationError(
      `the model predicts ${a} for a typical row${a === b ? '' : ` (${b} on the inference worker)`}`,
      onnxPath,
    );
}

/**
 * The warmed model as the service serves it. Retiring it stops its worker
 * once the worker's runs have answered, and releases the event-loop session
 * once its runs have: a request that took this model before the swap finishes on it.
 */
function servingModel(
  card: ModelCard,
  validateRow: ValidateFunction,
  spec: GraphSpec,
  session: ort.InferenceSession,
  worker: WorkerSession,
): LoadedModel {
  const onThisThread = coalesce(
    (rows: Row[]) => runColumns(session, spec, toColumns(rows, spec)),
    COALESCE_MAX_ROWS,
  );
  let running = 0;
  let retired = false;
  let released = false;
  const releaseWhenIdle = () => {
    if (!retired || running > 0 || released) return;
    released = true;
    void session.release().catch(() => undefined);
  };
  const done = () => {
    running--;
    releaseWhenIdle();
  };
  return {
    card,
    version: card.model_version,
    validateRow,
    loadedAt: new Date(),
    predict: (rows) => {
      if (rows.length >= WORKER_MIN_ROWS && worker.alive) return worker.run(toColumns(rows, spec));
      running++;
      const output = onThisThread(rows);
      output.then(done, done);
      return output;
    },
    retire: () => {
      retired = true;
      worker.retire();
      releaseWhenIdle();
    },
  };
}

/** A row of each column's reference median (or most common category). */
export function typicalRow(card: ModelCard): Row {
  const row: Row = {};
  for (const { name } of card.onnx.inputs) {
    const profile = card.reference_profile.columns[name];
    if (profile?.kind === 'numeric') row[name] = profile.quantiles['0.5'];
    else if (profile?.kind === 'categorical') {
      let top = 0;
      for (let i = 1; i < profile.shares.length; i++)
        if (profile.shares[i]! > profile.shares[top]!) top = i;
      row[name] = profile.categories[top];
    }
  }
  return row;
}
