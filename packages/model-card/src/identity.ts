import { createHash } from 'node:crypto';
import { ConfigurationError } from '@housing/core/errors';
import type { ModelCard } from './schema.ts';

/** The hex sha256 of a model's ONNX bytes: what the card records as `onnx.sha256`. */
export function onnxSha256(onnxBytes: Uint8Array): string {
  return createHash('sha256').update(onnxBytes).digest('hex');
}

/**
 * A model's version, derived from what it is: its kind and the first 12 hex
 * digits of its ONNX bytes' sha256. The same graph always gets the same
 * version, and a version names exactly one graph (the service checks it).
 */
export function modelVersionOf(kind: ModelCard['model_type'], sha256: string): string {
  return `${kind}-${sha256.slice(0, 12)}`;
}

/**
 * The ONNX file must be the one the card describes: its sha256 is the card's
 * `onnx.sha256`, and the card's version is the one derived from those bytes
 * (as the evaluate stage derives it). Otherwise one version name could serve,
 * or be gated as, two graphs: a model.onnx from another run beside an old
 * card, say. A ConfigurationError naming the file at fault otherwise.
 */
export function checkOnnxMatchesCard(
  bytes: Uint8Array,
  card: ModelCard,
  onnxPath: string,
  cardPath: string,
): void {
  const sha256 = onnxSha256(bytes);
  if (sha256 !== card.onnx.sha256)
    throw new ConfigurationError(
      `the file's sha256 is ${sha256}, but the card's /onnx/sha256 is ${card.onnx.sha256}: this is not the model the card describes`,
      onnxPath,
    );
  const version = modelVersionOf(card.model_type, sha256);
  if (card.model_version !== version)
    throw new ConfigurationError(
      `the card's /model_version is ${card.model_version}, but its ${card.model_type} graph (sha256 ${sha256}) is version ${version}`,
      cardPath,
    );
}
