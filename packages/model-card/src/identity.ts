import { createHash } from 'node:crypto';
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
