import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node as YamlNode,
  type YAMLMap,
} from 'yaml';
import { posix } from 'node:path';
import { staysInside } from '../dvc/inside.ts';
import { ConfigurationError } from '@housing/core/errors';
import { readTextFile } from '@housing/core/read-text';

/** One stage of dvc.yaml, as far as running it in order needs. */
export interface Stage {
  name: string;
  cmd: string[];
  deps: string[];
  params: string[];
  /** outs, metrics and plots: everything the stage writes. */
  outputs: string[];
  /** The outputs marked `cache: false`: DVC leaves them to git, which commits them. */
  uncached: string[];
  line: number;
  /** The folder its commands run in, relative to dvc.yaml's (`wdir`); deps and outputs above are relative to dvc.yaml's folder. */
  wdir?: string;
  /** `frozen: true`: dvc repro does not run it, and neither does the built-in runner. */
  frozen?: boolean;
  /** `always_changed: true`: dvc repro runs it every time, whatever its record says. */
  alwaysChanged?: boolean;
}

const STAGE_KEYS = new Set([
  'cmd',
  'deps',
  'params',
  'outs',
  'metrics',
  'plots',
  'desc',
  'wdir',
  'frozen',
  'always_changed',
  'meta',
  'vars',
]);

/**
 * Reads dvc.yaml's `stages` in DVC's schema: `cmd` (a string or a list),
 * `deps`, `params`, `outs`, `metrics` and `plots`, where each output is a path
 * or a one-key mapping of a path to its options. Errors name dvc.yaml:line.
 */
export async function readDvcYaml(file = 'dvc.yaml'): Promise<Stage[]> {
  const text = await readTextFile(file, { what: 'pipeline definition' });
  return parseDvcYaml(text, file);
}

/** Parses dvc.yaml text. */
export function parseDvcYaml(text: string, file: string): Stage[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const lineOf = (node: YamlNode | null | undefined) =>
    node?.range ? lc.linePos(node.range[0]).line : 1;
  const fail = (message: string, node?: YamlNode | null): never => {
    throw new ConfigurationError(message, { file, line: lineOf(node) });
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConfigurationError(`invalid YAML: ${e.message.split('\n')[0]}`, {
      file,
      line: e.linePos?.[0].line ?? 1,
    });
  }
  const root = doc.contents;
  const stagesNode = isMap(root) ? (root.get('stages', true) as YamlNode | undefined) : undefined;
  if (!isMap(stagesNode) || stagesNode.items.length === 0)
    fail("expected a non-empty 'stages' mapping", root);
  const stages: Stage[] = [];
  for (const pair of (stagesNode as YAMLMap).items) {
    const name = isScalar(pair.key)
      ? String(pair.key.value)
      : fail('stage names must be strings', pair.key as YamlNode);
    const body = pair.value as YamlNode;
    if (!isMap(body)) fail(`stage '${name}' must be a mapping`, body ?? (pair.key as YamlNode));
    const map = body as YAMLMap;
    for (const item of map.items) {
      const key = isScalar(item.key) ? String(item.key.value) : '';
      if (!STAGE_KEYS.has(key))
        fail(
          `stage '${name}': unknown key '${key}' (DVC allows ${[...STAGE_KEYS].join(', ')})`,
          item.key as YamlNode,
        );
    }
    const cmdNode = map.get('cmd', true) as YamlNode | undefined;
    const cmd = stringList(cmdNode, `stage '${name}': cmd`, fail, true);
    if (cmd.length === 0) fail(`stage '${name}' needs a cmd`, body);
    const wdir = stageWdir(map, name, fail);
    // DVC reads deps and outputs relative to wdir; the order compares them from the root.
    const fromRoot = (path: string) => (wdir === '.' ? path : posix.join(wdir, path));
    const paths = (key: string) => pathList(map.get(key, true), `stage '${name}': ${key}`, fail);
    const outputKeys = ['outs', 'metrics', 'plots'];
    stages.push({
      name,
      cmd,
      deps: stringList(map.get('deps', true), `stage '${name}': deps`, fail).map(fromRoot),
      params: paths('params'),
      outputs: outputKeys.flatMap(paths).map(fromRoot),
      uncached: outputKeys
        .flatMap((key) => uncachedList(map.get(key, true), `stage '${name}': ${key}`, fail))
        .map(fromRoot),
      line: lineOf(pair.key as YamlNode),
      wdir,
      frozen: map.get('frozen') === true,
      alwaysChanged: map.get('always_changed') === true,
    });
  }
  return stages;
}

type Fail = (message: string, node?: YamlNode | null) => never;

/** A stage's `wdir`: `.` when absent; a folder inside the repository. */
function stageWdir(map: YAMLMap, name: string, fail: Fail): string {
  const node = map.get('wdir', true) as YamlNode | undefined;
  if (node === undefined) return '.';
  const wdir = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
  if (wdir === undefined) return fail(`stage '${name}': wdir must be a string`, node);
  const clean = posix.normalize(wdir);
  if (clean !== '.' && clean !== './' && !staysInside(wdir))
    return fail(`stage '${name}': wdir '${wdir}' must be a folder inside the repository`, node);
  return clean.replace(/\/$/, '') || '.';
}

function stringList(
  node: YamlNode | undefined,
  what: string,
  fail: Fail,
  allowScalar = false,
): string[] {
  if (node === undefined) return [];
  if (allowScalar && isScalar(node) && typeof node.value === 'string') return [node.value];
  if (!isSeq(node)) return fail(`${what} must be a list${allowScalar ? ' or a string' : ''}`, node);
  return node.items.map((item) =>
    isScalar(item) && typeof item.value === 'string'
      ? item.value
      : fail(`${what}: every entry must be a string`, item as YamlNode),
  );
}

/** Entries that are a path, or `{path: options}` (outs, metrics, plots, params). */
function pathList(node: YamlNode | undefined, what: string, fail: Fail): string[] {
  if (node === undefined) return [];
  if (!isSeq(node)) return fail(`${what} must be a list`, node);
  return node.items.flatMap((item) => {
    if (isScalar(item) && typeof item.value === 'string') return [item.value];
    if (isMap(item) && item.items.length === 1 && isScalar(item.items[0]!.key))
      return [String(item.items[0]!.key.value)];
    return fail(
      `${what}: each entry must be a path or a one-key mapping of a path to its options`,
      item as YamlNode,
    );
  });
}

/**
 * The entries of an outs, metrics or plots list whose options say
 * `cache: false` (the list itself is checked by {@link pathList}).
 */
function uncachedList(node: YamlNode | undefined, what: string, fail: Fail): string[] {
  if (!isSeq(node)) return [];
  return node.items.flatMap((item) => {
    if (!isMap(item) || item.items.length !== 1) return [];
    const [entry] = item.items;
    const options = entry!.value as YamlNode | null;
    if (!isMap(options)) return [];
    const cache = options.get('cache', true) as YamlNode | undefined;
    if (cache === undefined) return [];
    if (!isScalar(cache) || typeof cache.value !== 'boolean')
      fail(`${what}: 'cache' must be true or false`, cache);
    return cache.value === false ? [String((entry!.key as { value: unknown }).value)] : [];
  });
}

/**
 * What git keeps of a pipeline run, as DVC splits it: dvc.lock and every
 * output marked `cache: false` (the metrics and plots here), in dvc.yaml's order.
 */
export function gitTrackedRecord(stages: Stage[], lockFile = 'dvc.lock'): string[] {
  return [lockFile, ...stages.flatMap((stage) => stage.uncached)];
}

/** True when `dep` is `out` or lies inside it. */
function within(dep: string, out: string): boolean {
  const clean = (p: string) => p.replace(/^\.\//, '').replace(/\/+$/, '');
  const d = clean(dep);
  const o = clean(out);
  return d === o || d.startsWith(`${o}/`);
}

/**
 * Orders stages so that each runs after the stages whose outputs it depends
 * on, keeping dvc.yaml's order where the graph allows. A cycle is an error.
 */
export function orderStages(stages: Stage[], file = 'dvc.yaml'): Stage[] {
  const upstream = new Map(
    stages.map((s) => [
      s.name,
      stages.filter(
        (other) => other !== s && s.deps.some((d) => other.outputs.some((o) => within(d, o))),
      ),
    ]),
  );
  const ordered: Stage[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (stage: Stage, path: string[]): void => {
    if (state.get(stage.name) === 'done') return;
    if (state.get(stage.name) === 'visiting') {
      throw new ConfigurationError(`stages form a cycle: ${[...path, stage.name].join(' -> ')}`, {
        file,
        line: stage.line,
      });
    }
    state.set(stage.name, 'visiting');
    for (const up of upstream.get(stage.name)!) visit(up, [...path, stage.name]);
    state.set(stage.name, 'done');
    ordered.push(stage);
  };
  for (const stage of stages) visit(stage, []);
  return ordered;
}
