import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@housing/core/errors';
import { imageByDigest, imageName, isDigest, registryOf } from '../shared/image-ref.ts';

const DIGEST = `sha256:${'0a'.repeat(32)}`;

describe('imageName', () => {
  it('lower-cases what ghcr.io/${{ github.repository }} gives for an owner with capitals', () => {
    expect(imageName('ghcr.io/Acme-Corp/Housing-MLOps/housing-service', 'input')).toBe(
      'ghcr.io/acme-corp/housing-mlops/housing-service',
    );
  });

  it.each([
    ['localhost:5000/housing', 'localhost:5000/housing'],
    ['127.0.0.1:41234/housing-service', '127.0.0.1:41234/housing-service'],
    ['housing_service', 'housing_service'],
    ['  ghcr.io/a/b  ', 'ghcr.io/a/b'],
  ])('keeps a valid name %s', (raw, expected) => {
    expect(imageName(raw, 'input')).toBe(expected);
  });

  it.each([
    'ghcr.io/acme/housing:latest',
    'ghcr.io/acme/housing@sha256:abc',
    'ghcr.io/acme/hous ing',
    'ghcr.io/acme//housing',
    'ghcr.io/acme/-housing',
    '',
    `ghcr.io/${'a'.repeat(260)}`,
  ])('refuses %j, naming where it came from', (raw) => {
    expect(() => imageName(raw, "input 'images'")).toThrow(ConfigurationError);
    expect(() => imageName(raw, "input 'images'")).toThrow(
      `input 'images': '${raw}' is not an image name without a tag or digest`,
    );
  });
});

describe('imageByDigest', () => {
  it('lower-cases the name and keeps the digest', () => {
    expect(imageByDigest(`ghcr.io/Acme/Housing@${DIGEST}`, 'image')).toBe(
      `ghcr.io/acme/housing@${DIGEST}`,
    );
  });

  it('drops a tag given with the digest: the digest is what runs', () => {
    expect(imageByDigest(`127.0.0.1:5000/housing:model-gbdt-1@${DIGEST}`, 'image')).toBe(
      `127.0.0.1:5000/housing@${DIGEST}`,
    );
  });

  it.each([
    'ghcr.io/acme/housing:model-gbdt-579950fcf331',
    'ghcr.io/acme/housing',
    'ghcr.io/acme/housing@sha256:ABC',
    `ghcr.io/acme/housing@sha512:${'0a'.repeat(64)}`,
  ])('refuses %s, which names no sha256 digest', (raw) => {
    expect(() => imageByDigest(raw, "input 'image'")).toThrow(
      `input 'image': '${raw}' must name the image by digest (name@sha256:<64 hex digits>)`,
    );
  });

  it('refuses a bad tag and a bad name before the digest', () => {
    expect(() => imageByDigest(`ghcr.io/acme/housing:-x@${DIGEST}`, 'image')).toThrow(
      'has an invalid tag',
    );
    expect(() => imageByDigest(`ghcr.io/acme/hou sing@${DIGEST}`, 'image')).toThrow(
      'is not an image name',
    );
  });
});

describe('isDigest and registryOf', () => {
  it('knows a sha256 digest', () => {
    expect(isDigest(DIGEST)).toBe(true);
    expect(isDigest('sha256:abc')).toBe(false);
  });

  it.each([
    ['ghcr.io/acme/housing@x', 'ghcr.io'],
    ['127.0.0.1:5000/housing', '127.0.0.1:5000'],
    ['localhost/housing', 'localhost'],
    ['acme/housing', 'docker.io'],
    ['housing', 'docker.io'],
  ])('%s is pulled from %s', (image, registry) => {
    expect(registryOf(image)).toBe(registry);
  });
});
