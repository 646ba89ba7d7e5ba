import { lstat, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ContractColumns } from '../contract/contract.ts';
import { errnoCode, errorMessage } from '@housing/core/errors';
import { dottedPath, profileCoverageProblems } from '@housing/model-card/check-profile';
import { MAX_CARD_BYTES } from '@housing/model-card/read';
import type { ReferenceProfile } from '@housing/model-card/schema';

/** Where a reference path came from, for messages: `--reference`, `params.yaml validate.reference`. */
export interface ReferenceSource {
  path: string;
  from: string;
}

/**
 * What validation did about drift, as the report's `drift_reference` says:
 * `used` the profile of `path`; `skipped` it on a first run (no production
 * model at all); or found `path` `unusable`, which fails the validation.
 */
export interface DriftReferenceInfo {
  path: string | null;
  status: 'used' | 'skipped' | 'unusable';
  message: string;
}

/** A resolved reference: the profile when `info.status` is `used`. */
export interface DriftReference {
  info: DriftReferenceInfo;
  profile?: ReferenceProfile;
}

/**
 * Finds the reference profile drift is measured against. Drift fails closed:
 * a reference that is given, or configured and present, must be a readable
 * card with a valid `reference_profile` that covers every contract column;
 * anything else is `unusable`. The one exception is a first run, with no
 * production model at all: nothing was given, and neither the configured card
 * nor a `model.onnx` beside it exists. Then drift is `skipped`, and says so.
 */
export async function resolveDriftReference(options: {
  given?: ReferenceSource | undefined;
  configured: ReferenceSource;
  columns: ContractColumns;
}): Promise<DriftReference> {
  const source = options.given ?? options.configured;
  const { path } = source;
  if (!options.given && (await isAbsent(path))) {
    // models/production linked to a volume that is not mounted holds a model
    // nobody can read: that is not a first run.
    const broken = await danglingAncestor(path);
    if (broken !== undefined)
      return unusable(
        source,
        `cannot be reached: ${broken} is a dangling symlink (its target does not exist)`,
      );
    const model = join(dirname(path), 'model.onnx');
    if (await isAbsent(model)) {
      return {
        info: {
          path,
          status: 'skipped',
          message: `no production model yet (neither ${path} nor ${model} exists)`,
        },
      };
    }
    return unusable(
      source,
      `does not exist, but ${model} does: the production model is incomplete; promote a model again, or remove ${dirname(path)} to start over without drift`,
    );
  }
  let text: string;
  try {
    const stats = await stat(path);
    if (!stats.isFile())
      return unusable(
        source,
        stats.isDirectory() ? 'is a directory, not a model card' : 'is not a regular file',
      );
    if (stats.size > MAX_CARD_BYTES)
      return unusable(
        source,
        `is ${stats.size} bytes, more than a model card can be (${MAX_CARD_BYTES})`,
      );
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errnoCode(error);
    return unusable(
      source,
      code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? errorMessage(error)})`,
    );
  }
  let card: unknown;
  try {
    card = JSON.parse(text);
  } catch (error) {
    return unusable(source, `is not valid JSON (${errorMessage(error).slice(0, 200)})`);
  }
  const profile = (card as { reference_profile?: unknown } | null)?.reference_profile;
  if (profile === undefined || profile === null)
    return unusable(
      source,
      'has no reference_profile: a card written by the evaluate stage has one',
    );
  // Drift needs only the profile, so only the profile is checked, by the card's own schema:
  // an older production card whose other fields changed is still a valid reference.
  const categorical = new Set(options.columns.categorical.map((c) => c.name));
  const [problem] = profileCoverageProblems(
    profile,
    options.columns.all.map((name) => ({
      name,
      kind: categorical.has(name) ? 'categorical' : 'numeric',
    })),
    'the data contract',
  );
  if (problem) return unusable(source, `${dottedPath(problem.path, card)}: ${problem.message}`);
  const valid = profile as ReferenceProfile;
  const version = (card as { model_version?: unknown }).model_version;
  return {
    info: {
      path,
      status: 'used',
      message: `${path}${typeof version === 'string' ? ` (model ${version.slice(0, 80)})` : ''}: ${valid.rows} reference rows`,
    },
    profile: valid,
  };
}

function unusable(source: ReferenceSource, problem: string): DriftReference {
  return {
    info: {
      path: source.path,
      status: 'unusable',
      message: `${source.path} (${source.from}): ${problem}; drift cannot be measured against it`,
    },
  };
}

/**
 * The nearest folder above `path` that is a symlink to nothing, if the
 * nearest one that exists is such a link; undefined when that folder is real.
 */
async function danglingAncestor(path: string): Promise<string | undefined> {
  for (let at = dirname(path); ; at = dirname(at)) {
    const link = await lstat(at).catch(() => undefined);
    if (link) {
      if (!link.isSymbolicLink()) return undefined;
      return (await stat(at).then(
        () => false,
        () => true,
      ))
        ? at
        : undefined;
    }
    if (dirname(at) === at) return undefined;
  }
}

/** True only when nothing at all is at `path` (a dangling symlink is something). */
async function isAbsent(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return false;
  } catch (error) {
    return errnoCode(error) === 'ENOENT';
  }
}
