import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument, stringify } from 'yaml';
import { writeFileAtomic } from '@housing/core/atomic';
import { ConfigurationError, errnoCode } from '@housing/core/errors';
import { MAX_CONFIG_BYTES, readTextAtMost } from '@housing/core/read-text';
import { directoryHash, type ManifestEntry } from '../dvc/manifest.ts';
import { md5OfFile } from '../dvc/workspace.ts';
import type { Stage } from './dvcyaml.ts';

/** One dependency or output as dvc.lock records it (DVC 3: `hash: md5`). */
export interface LockedPath {
  path: string;
  hash: 'md5';
  /** A file's md5, or a directory's manifest md5 with `.dir`. */
  md5: string;
  /** Bytes: the file's, or the sum of a directory's files. */
  size: number;
  /** Directories only: how many files they hold. */
  nfiles?: number;
}

/** One stage's record: what ran, on what, with which params, producing what. */
export interface LockedStage {
  cmd: string | string[];
  deps?: LockedPath[];
  params?: Record<string, Record<string, unknown>>;
  outs?: LockedPath[];
}

/** dvc.lock as DVC 3 writes it (`schema: '2.0'`). */
export interface DvcLock {
  schema: '2.0';
  stages: Record<string, LockedStage>;
}

/** The params file stage params are read from when they name no file, as in DVC. */
export const PARAMS_FILE = 'params.yaml';

/**
 * A path's md5 as DVC 3 computes it: a file's raw bytes; a directory's
 * `.dir` manifest hash over every file below it. Undefined when it is missing.
 */
export async function hashPath(root: string, path: string): Promise<LockedPath | undefined> {
  const full = join(root, path);
  const stat = await lstat(full).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new ConfigurationError(`cannot read (${errnoCode(error) ?? 'unreadable'})`, path);
  });
  if (!stat) return undefined;
  if (!stat.isDirectory()) {
    return { path, hash: 'md5', md5: await md5Of(full), size: stat.size };
  }
  const entries: ManifestEntry[] = [];
  let size = 0;
  for (const entry of await readdir(full, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    entries.push({ relpath: posix.normalize(file.slice(full.length + 1)), md5: await md5Of(file) });
    size += (await lstat(file)).size;
  }
  return { path, hash: 'md5', md5: directoryHash(entries), size, nfiles: entries.length };
}

/** A file's md5 by the pull's own reader; a file that vanished mid-scan is named. */
async function md5Of(file: string): Promise<string> {
  const md5 = await md5OfFile(file);
  if (md5 === undefined) throw new ConfigurationError('cannot read it to hash it', file);
  return md5;
}

/** Python's default string order (by code point), which DVC sorts with. */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The value at a dotted name (`validate.profile_bins`) in parsed params, or undefined. */
function paramAt(params: unknown, name: string): unknown {
  let value: unknown = params;
  for (const key of name.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Records a stage as it stands now: its command, each dependency's and
 * output's hash, and the values of its params. Every path must exist: a stage
 * that succeeded without writing a declared output is an error, as in DVC.
 */
export async function recordStage(
  stage: Stage,
  root: string,
  params: unknown,
): Promise<LockedStage> {
  const relative = (path: string) =>
    stage.wdir && stage.wdir !== '.' ? posix.relative(stage.wdir, path) : path;
  // DVC lists deps and outs sorted by path, and params by name (dvc/stage/serialize.py).
  const hashAll = async (paths: string[], what: string) => {
    const out: LockedPath[] = [];
    for (const path of [...paths].sort(byCodePoint)) {
      const hashed = await hashPath(root, path);
      if (!hashed)
        throw new ConfigurationError(
          `stage '${stage.name}': ${what} '${path}' does not exist`,
          `dvc.yaml:${stage.line}`,
        );
      out.push({ ...hashed, path: relative(path) });
    }
    return out;
  };
  const record: LockedStage = { cmd: stage.cmd.length === 1 ? stage.cmd[0]! : stage.cmd };
  if (stage.deps.length > 0) record.deps = await hashAll(stage.deps, 'dependency');
  if (stage.params.length > 0) {
    const values: Record<string, unknown> = {};
    for (const name of [...stage.params].sort(byCodePoint)) {
      const value = paramAt(params, name);
      if (value === undefined)
        throw new ConfigurationError(
          `stage '${stage.name}': param '${name}' is not in ${PARAMS_FILE}`,
          `dvc.yaml:${stage.line}`,
        );
      values[name] = value;
    }
    record.params = { [PARAMS_FILE]: values };
  }
  if (stage.outputs.length > 0) record.outs = await hashAll(stage.outputs, 'output');
  return record;
}

/**
 * Whether a stage's record still holds, as `dvc status` decides: same
 * command, same params, and every dependency and output unchanged on disk.
 */
export async function isUpToDate(
  stage: Stage,
  locked: LockedStage | undefined,
  root: string,
  params: unknown,
): Promise<boolean> {
  if (!locked) return false;
  try {
    return isDeepStrictEqual(await recordStage(stage, root, params), locked);
  } catch (error) {
    // A missing dependency or output: the stage must run (and will say so if it cannot).
    if (error instanceof ConfigurationError) return false;
    throw error;
  }
}

/** Reads dvc.lock; an absent one is empty. A malformed one names its line. */
export async function readDvcLock(file: string): Promise<DvcLock> {
  let text: string;
  try {
    text = await readTextAtMost(file, MAX_CONFIG_BYTES);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { schema: '2.0', stages: {} };
    throw error;
  }
  const doc = parseDocument(text, { prettyErrors: true });
  const error = doc.errors[0];
  const fix = 'delete it to run every stage again';
  if (error) {
    throw new ConfigurationError(`${error.message.split('\n')[0]}; ${fix}`, {
      file,
      line: error.linePos?.[0].line,
    });
  }
  const parsed = doc.toJS() as Partial<DvcLock> | null;
  if (parsed?.schema !== '2.0' || typeof parsed.stages !== 'object' || parsed.stages === null)
    throw new ConfigurationError(`is not a DVC 3 lock file (schema '2.0' with stages); ${fix}`, {
      file,
    });
  return { schema: '2.0', stages: parsed.stages };
}

/** Writes dvc.lock atomically, in DVC's layout: stages in dvc.yaml's order, keys in DVC's order. */
export async function writeDvcLock(file: string, lock: DvcLock, order: string[]): Promise<void> {
  const names = [
    ...order.filter((n) => Object.hasOwn(lock.stages, n)),
    ...Object.keys(lock.stages).filter((n) => !order.includes(n)),
  ];
  const stages = Object.fromEntries(names.map((n) => [n, lock.stages[n]]));
  // Two stages that track one params section share its parsed object: DVC writes the
  // values out in each stage, where the yaml library would write an anchor and an alias.
  const text = stringify(
    { schema: '2.0', stages },
    { indentSeq: false, singleQuote: true, lineWidth: 0, aliasDuplicateObjects: false },
  );
  await writeFileAtomic(file, text);
}
