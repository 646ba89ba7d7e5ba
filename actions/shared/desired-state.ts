import { parseDocument } from 'yaml';
import { ConfigurationError } from '@housing/core/errors';
import { parseYamlText } from '@housing/core/yaml-file';

/** What an environment should run. */
export interface DesiredState {
  environment: string;
  image: string | null;
  model_version: string | null;
}

/** The environments that have a desired-state file. */
export const ENVIRONMENTS = ['staging', 'production'] as const;

/** Parses deploy/<environment>.yml; `file` names it in errors. */
export function parseDesiredState(text: string, file: string): DesiredState {
  const { doc } = parseYamlText(text, file);
  const state = doc.toJS() as Partial<DesiredState> | null;
  if (!state || typeof state.environment !== 'string')
    throw new ConfigurationError('needs environment, image and model_version', file);
  return {
    environment: state.environment,
    image: state.image ?? null,
    model_version: state.model_version ?? null,
  };
}

/** The same file with a new image and model version; comments and layout are kept. */
export function withDesiredState(text: string, image: string, modelVersion: string): string {
  const doc = parseDocument(text);
  doc.set('image', image);
  doc.set('model_version', modelVersion);
  return doc.toString();
}
