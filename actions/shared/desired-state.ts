import { parseDocument } from 'yaml';
import { ConfigurationError, formatLocation } from '@housing/core/errors';
import { parseYamlText } from '@housing/core/yaml-file';
import { imageByDigest } from './image-ref.ts';

/** What an environment should run. */
export interface DesiredState {
  environment: string;
  /** The image by digest (`name@sha256:...`), or null before the first promotion. */
  image: string | null;
  model_version: string | null;
}

/** The environments that have a desired-state file. */
export const ENVIRONMENTS = ['staging', 'production'] as const;

/** A model version as `evaluate` derives it: `<model_type>-<12 hex digits>`. */
const MODEL_VERSION = /^[a-z][a-z0-9_]*-[0-9a-f]{12}$/;

/** Checks a model version; `where` names the input or file it came from. */
export function checkModelVersion(raw: string, where: string): string {
  const version = raw.trim();
  if (!MODEL_VERSION.test(version))
    throw new ConfigurationError(
      `'${raw}' is not a model version (<model_type>-<12 hex digits>, e.g. gbdt-579950fcf331)`,
      where,
    );
  return version;
}

/**
 * Parses deploy/<environment>.yml; `file` names it in errors. An image must
 * be named by digest and come with its model version (both null before the
 * first promotion); each bad value is named at its line.
 */
export function parseDesiredState(text: string, file: string): DesiredState {
  const { doc, at } = parseYamlText(text, file);
  const state = doc.toJS() as Partial<DesiredState> | null;
  if (!state || typeof state.environment !== 'string')
    throw new ConfigurationError('needs environment, image and model_version', file);
  const image = state.image ?? null;
  const modelVersion = state.model_version ?? null;
  const where = (key: string) => formatLocation(at(doc.get(key, true)));
  if ((image === null) !== (modelVersion === null)) {
    // At the line of the one that is set: the other may have no line at all.
    const [set, unset] = image === null ? ['model_version', 'image'] : ['image', 'model_version'];
    throw new ConfigurationError(
      `${set} is set without ${unset}: set both, or neither (null) before the first promotion`,
      where(set),
    );
  }
  return {
    environment: state.environment,
    image: image === null ? null : imageByDigest(String(image), where('image')),
    model_version:
      modelVersion === null
        ? null
        : checkModelVersion(String(modelVersion), where('model_version')),
  };
}

/** The same file with a new image and model version; comments and layout are kept. */
export function withDesiredState(text: string, image: string, modelVersion: string): string {
  const doc = parseDocument(text);
  doc.set('image', image);
  doc.set('model_version', modelVersion);
  return doc.toString();
}
