import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@housing/core/atomic';
import { ConfigurationError } from '@housing/core/errors';
import { parseJsonText } from '@housing/core/json-text';
import { readTextFile } from '@housing/core/read-text';
import { MAX_CARD_BYTES, MAX_MODEL_BYTES } from '@housing/model-card/read';
import { parseDesiredState } from './desired-state.ts';
import { currentRepo, gitHub } from '@housing/github/client';
import { downloadReleaseAsset, findModelRelease } from './model-release.ts';

/** The card asset of a model release, as publish-model uploads it. */
export const CARD_ASSET = 'model.card.json';
/** The graph asset of a model release. */
export const MODEL_ASSET = 'model.onnx';

/**
 * The production model as the desired state names it: `none` on a first run
 * (model_version is null), or the release that holds it with the assets
 * fetched into a folder of their own.
 */
export type ProductionModel =
  | { kind: 'none'; desiredState: string }
  | {
      kind: 'release';
      desiredState: string;
      modelVersion: string;
      tag: string;
      /** The folder the assets were written to, each under its own name. */
      dir: string;
      /** Asset name -> its local path. */
      files: Record<string, string>;
    };

/**
 * Fetches the production model: reads `desiredState` (deploy/production.yml)
 * through its one parser, finds the release that holds its model_version, and
 * downloads `assets` (always including the card, whose model_version must be
 * the one production names) into a new folder under RUNNER_TEMP. The metric
 * gate's baseline and validation's drift reference both come from here, so
 * they are always the same model. Nothing is fetched, and no GitHub call is
 * made, when production names no model yet. Everything else that stops the
 * fetch (no such release, a missing asset, a card of another model) is a
 * ConfigurationError naming the release and asset: callers fail closed.
 */
export async function fetchProductionModel(options: {
  desiredState: string;
  assets: readonly string[];
  /** Read only when production names a model. */
  githubToken: string;
}): Promise<ProductionModel> {
  const { desiredState } = options;
  const state = parseDesiredState(await readTextFile(desiredState), desiredState);
  if (state.model_version === null) return { kind: 'none', desiredState };
  const modelVersion = state.model_version;
  if (!options.githubToken) throw new ConfigurationError("input 'github-token' is empty");
  const github = gitHub(options.githubToken);
  const repo = currentRepo();
  const release = await findModelRelease(
    github,
    repo,
    modelVersion,
    `${desiredState} model_version ${modelVersion}`,
  );
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'production-model-'));
  const files: Record<string, string> = {};
  for (const name of new Set([CARD_ASSET, ...options.assets])) {
    const bytes = await downloadReleaseAsset(
      github,
      repo,
      release,
      name,
      name === CARD_ASSET ? MAX_CARD_BYTES : MAX_MODEL_BYTES,
    );
    if (name === CARD_ASSET)
      checkCardVersion(bytes, `release ${release.tag} asset ${name}`, modelVersion);
    files[name] = join(dir, name);
    await writeFileAtomic(files[name], bytes);
  }
  return { kind: 'release', desiredState, modelVersion, tag: release.tag, dir, files };
}

/** The card must be of the model production names: another release's card is not its reference. */
function checkCardVersion(bytes: Buffer, where: string, modelVersion: string): void {
  const card = parseJsonText(bytes.toString('utf8'), where) as { model_version?: unknown } | null;
  const found = card?.model_version;
  if (found !== modelVersion)
    throw new ConfigurationError(
      `is the card of model ${typeof found === 'string' ? found : '(none)'}, not of ${modelVersion}, which production names`,
      where,
    );
}
