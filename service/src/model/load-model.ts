import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { checkOnnxMatchesCard } from '@housing/model-card/identity';
import { MAX_MODEL_BYTES, readModelCard } from '@housing/model-card/read';
import { readRegularFile } from '@housing/model-card/regular-file';
import type { ModelCard } from '@housing/model-card/schema';
import { ConfigurationError, errorMessage } from '@housing/core/errors';
import {
  checkContractServesGraph,
  checkGraph,
  compileInputContract,
  typicalRow,
} from './card-serves-graph.ts';
import { createSession, graphSpec, runColumns, toColumns, type GraphSpec } from './onnx-session.ts';
import type { Row } from './row.ts';
import { servingModel, type LoadedModel } from './serving-model.ts';
import { WorkerSession } from './worker-session.ts';

export type { LoadedModel } from './serving-model.ts';

/** The files a model folder must hold. */
export const MODEL_FILE = 'model.onnx';
export const CARD_FILE = 'model.card.json';

/** Reports that a model's inference worker died; its large batches then run on the event loop. */
type WorkerCrashHook = (modelVersion: string, reason: string) => void;

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
  hooks: { onWorkerCrash?: WorkerCrashHook } = {},
): Promise<LoadedModel> {
  const cardPath = join(dir, CARD_FILE);
  const onnxPath = join(dir, MODEL_FILE);
  // What needs only the card runs first, before anything is started that must be released.
  const card = await readModelCard(cardPath);
  const bytes = await readRegularFile(onnxPath, 'model', MAX_MODEL_BYTES);
  const validateRow = compileInputContract(card, cardPath);
  const spec = graphSpec(card);
  let session: ort.InferenceSession | undefined;
  let worker: WorkerSession | undefined;
  try {
    session = await openCheckedSession(bytes, card, onnxPath, cardPath);
    const typical = typicalRow(card);
    checkContractServesGraph(card, validateRow, typical, cardPath);
    worker = await startWorker(bytes, spec, card, onnxPath, hooks.onWorkerCrash);
    await warm(session, worker, spec, typical, onnxPath);
  } catch (error) {
    worker?.stop();
    await session?.release().catch(() => undefined);
    throw error;
  }
  return servingModel(card, validateRow, spec, session, worker);
}

/**
 * Opens the event loop's session on the graph and checks that it is the
 * card's: the bytes it hashes to, the inputs and output it has. A corrupt file
 * is reported as what it is before the hash says it is not the card's.
 * Releases the session when a check fails.
 */
async function openCheckedSession(
  bytes: Uint8Array,
  card: ModelCard,
  onnxPath: string,
  cardPath: string,
): Promise<ort.InferenceSession> {
  const session = await openSession(bytes, onnxPath);
  try {
    checkOnnxMatchesCard(bytes, card, onnxPath, cardPath);
    checkGraph(session, card, cardPath);
    return session;
  } catch (error) {
    await session.release().catch(() => undefined);
    throw error;
  }
}

/** The inference worker with its own session on the graph. */
function startWorker(
  bytes: Uint8Array,
  spec: GraphSpec,
  card: ModelCard,
  onnxPath: string,
  onCrash: WorkerCrashHook | undefined,
): Promise<WorkerSession> {
  return WorkerSession.start(bytes, spec, (reason) => onCrash?.(card.model_version, reason)).catch(
    (error: unknown) => {
      throw new ConfigurationError(
        `onnxruntime cannot load the model on the inference worker: ${errorMessage(error)}`,
        onnxPath,
      );
    },
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
