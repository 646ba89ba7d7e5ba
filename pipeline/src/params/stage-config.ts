import { loadContract, type CompiledContract } from '../contract/contract.ts';
import { loadParams, type Params } from './params.ts';
import { readTextFile } from '@housing/core/read-text';
import { parseJsonText } from '@housing/core/json-text';

/** params.yaml and the data contract it names: what every stage starts from. */
export async function loadStageConfig(
  paramsFile = 'params.yaml',
): Promise<{ params: Params; contract: CompiledContract }> {
  const params = await loadParams(paramsFile);
  return { params, contract: await loadContract(params.data.contract) };
}

/**
 * The most a stage's JSON output may hold: a trained model's trees and a
 * card's reference profile are a few MiB; a file far larger is not one of them.
 */
const MAX_STAGE_JSON_BYTES = 256 * 1024 * 1024;

/** Reads a JSON file written by an earlier stage, saying which stage writes it when missing. */
export async function readStageJson<T>(file: string, writtenBy: string): Promise<T> {
  const text = await readTextFile(file, { writtenBy, maxBytes: MAX_STAGE_JSON_BYTES });
  return parseJsonText(text, file) as T;
}
