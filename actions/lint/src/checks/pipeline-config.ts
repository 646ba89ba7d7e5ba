import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseParams } from '@housing/pipeline/params';
import { orderStages, parseDvcYaml } from '@housing/pipeline/dvcyaml';
import type { Problem } from '../../../shared/annotations.ts';
import { problemsFromError, type Check } from './check.ts';

/** dvc.yaml and params.yaml, parsed by the same code the pipeline runs them with. */
export const checkPipelineConfig: Check = async (root) => {
  const problems: Problem[] = [];
  const files: [string, (text: string) => unknown][] = [
    ['dvc.yaml', (text) => orderStages(parseDvcYaml(text, 'dvc.yaml'))],
    ['params.yaml', (text) => parseParams(text, 'params.yaml')],
  ];
  for (const [file, parse] of files) {
    if (!existsSync(join(root, file))) {
      problems.push({ file, message: 'is missing', title: file });
      continue;
    }
    try {
      parse(await readFile(join(root, file), 'utf8'));
    } catch (error) {
      problems.push(...problemsFromError(error, file, file));
    }
  }
  return { name: 'dvc.yaml and params.yaml', problems };
};
