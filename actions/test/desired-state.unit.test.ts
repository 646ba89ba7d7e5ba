import { describe, expect, it } from 'vitest';
import { parseDesiredState } from '../shared/desired-state.ts';

const IMAGE = `ghcr.io/acme/housing-service@sha256:${'0a'.repeat(32)}`;
const FILE = 'deploy/staging.yml';

describe('parseDesiredState: a half-set desired state is named at its line', () => {
  it.each([
    [
      'an image without its model version',
      `# staging\nenvironment: staging\nimage: ${IMAGE}\n`,
      /^deploy\/staging\.yml:3: image is set without model_version: set both, or neither/,
    ],
    [
      'an image with a null model version',
      `environment: staging\nimage: ${IMAGE}\nmodel_version: null\n`,
      /^deploy\/staging\.yml:2: image is set without model_version/,
    ],
    [
      'a model version without its image',
      'environment: staging\n\nmodel_version: gbdt-579950fcf331\n',
      /^deploy\/staging\.yml:3: model_version is set without image/,
    ],
  ])('%s', (_, text, message) => {
    expect(() => parseDesiredState(text, FILE)).toThrow(message);
  });

  it('still reads a state with both, or neither', () => {
    const text = `environment: staging\nimage: ${IMAGE}\nmodel_version: gbdt-579950fcf331\n`;
    expect(parseDesiredState(text, FILE).image).toBe(IMAGE);
    expect(
      parseDesiredState('environment: staging\nimage: null\nmodel_version: null\n', FILE),
    ).toEqual({ environment: 'staging', image: null, model_version: null });
  });
});
