import { readFile } from 'node:fs/promises';
import { ConfigurationError, errnoCode } from '@housing/core/errors';
import { parseJsonText } from '@housing/core/json-text';

/**
 * Reads a card, or a bare metrics file (reports/metrics.json, a release's
 * metrics.json asset), and returns its metrics, for the gate. Only the
 * metrics are read, so only they are checked: a baseline is any file with a
 * metrics object, and the gate names each gated metric it lacks.
 */
export async function readMetricsOrCard(file: string): Promise<Record<string, number>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`cannot read (${errnoCode(error) ?? 'unreadable'})`, file);
  }
  return metricsOf(parseJsonText(text, file), file);
}

/** The numeric metrics of a parsed card (its `metrics`) or bare metrics file; `source` names it in errors. */
export function metricsOf(parsed: unknown, source: string): Record<string, number> {
  const metrics = (parsed as { metrics?: unknown } | null)?.metrics ?? parsed;
  if (typeof metrics !== 'object' || metrics === null)
    throw new ConfigurationError('has no metrics object', source);
  return Object.fromEntries(
    Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === 'number'),
  );
}
