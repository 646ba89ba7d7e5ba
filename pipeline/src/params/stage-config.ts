import { readFile } from 'node:fs/promises';
import { loadContract, type CompiledContract } from '../contract/contract.ts';
import { loadParams, type Params } from './params.ts';
import { ConfigurationError, errnoCode } from '@housing/core/errors';
import { parseJsonText } from '@housing/core/json-text';

/** params.yaml and the data contract it names: what every stage starts from. */
export async function loadStageConfig(
  paramsFile = 'params.yaml',
): Promise<{ params: Params; contract: CompiledContract }> {
  const params = await loadParams(paramsFile);
  return { params, contract: await loadContract(params.data.contract) };
}

/** Reads a JSON file written by an earlier stage, saying which stage writes it when missing. */
export async function readStageJson<T>(file: string, writtenBy: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `cannot read (${errnoCode(error) ?? 'unreadable'}); ${writtenBy} writes it`,
      file,
    );
  }
  return parseJsonText(text, file) as T;
}
