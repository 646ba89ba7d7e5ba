import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseYamlText } from '@housing/core/yaml-file';
import type { Problem } from '../../../shared/annotations.ts';
import { lineOf, problemsFromError, type Check } from './check.ts';

/**
 * The Node runtime GitHub's runners support for JavaScript actions: node24
 * since node20's removal in autumn 2026.
 */
export const ACTION_RUNTIME = 'node24';

interface ActionMetadata {
  name?: string;
  description?: string;
  inputs?: Record<string, { description?: string } | null>;
  outputs?: Record<string, { description?: string } | null>;
  runs?: { using?: string; main?: string };
}

/** Every `actions/<name>/action.yml`, relative to the root. */
export async function actionFiles(root: string): Promise<string[]> {
  const dir = join(root, 'actions');
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'action.yml')))
    .map((d) => `actions/${d.name}/action.yml`)
    .sort();
}

/**
 * The metadata of each action: a name and description, the supported Node
 * runtime, a `main` that exists, and a description for every input and
 * output. (@action-validator/core's schema predates node24, so this check
 * is written out here.)
 */
export const checkActionMetadata: Check = async (root) => {
  const problems: Problem[] = [];
  for (const file of await actionFiles(root)) {
    const text = await readFile(join(root, file), 'utf8');
    let meta: ActionMetadata;
    try {
      meta = (parseYamlText(text, file).doc.toJS() ?? {}) as ActionMetadata;
    } catch (error) {
      problems.push(...problemsFromError(error, file, 'action.yml'));
      continue;
    }
    const at = (message: string, pattern: RegExp) => {
      const line = lineOf(text, pattern);
      problems.push({
        file,
        ...(line === undefined ? {} : { line }),
        message,
        title: 'action.yml',
      });
    };
    if (!meta.name) at('has no name', /^/);
    if (!meta.description) at('has no description', /^/);
    if (meta.runs?.using !== ACTION_RUNTIME)
      at(
        `runs.using is '${meta.runs?.using ?? ''}'; JavaScript actions run on ${ACTION_RUNTIME}`,
        /^\s+using:/m,
      );
    if (!meta.runs?.main) at('runs.main is missing', /^runs:/m);
    else if (!existsSync(join(root, file, '..', meta.runs.main)))
      at(`runs.main '${meta.runs.main}' does not exist (npm run build:actions)`, /^\s+main:/m);
    for (const kind of ['inputs', 'outputs'] as const)
      for (const [name, spec] of Object.entries(meta[kind] ?? {}))
        if (!spec?.description)
          at(`${kind}.${name} has no description`, new RegExp(`^\\s+${name}:`, 'm'));
  }
  return { name: 'Action metadata', problems };
};
