import { ConfigurationError } from '@housing/core/errors';
import { parseJsonText } from '@housing/core/json-text';
import { cardProblems, type CardProblem } from './check.ts';
import { readRegularFile } from './regular-file.ts';
import type { ModelCard } from './schema.ts';

/**
 * The largest card a read accepts. A card is metadata of ~100 kB (its
 * reference profile); a file past this is not a card, and read whole it would
 * cost its size in memory (and as much again as a string) before being found wrong.
 */
export const MAX_CARD_BYTES = 16 * 2 ** 20;

/**
 * The largest ONNX file beside a card that any reader reads. A graph of this
 * project is a few MB; a file past this is not a model, and read whole it
 * would cost its size in memory before being found wrong. onnxruntime cannot
 * load a graph past 2 GiB.
 */
export const MAX_MODEL_BYTES = 2 ** 30;

/** The most problems one rejection's message lists: a file of the wrong kind stays readable. */
const MAX_LISTED = 10;

/**
 * Reads and checks a model card file: a regular file of at most
 * {@link MAX_CARD_BYTES}, JSON (a syntax error named at `file:line:column`),
 * and a card by {@link parseModelCard}.
 */
export async function readModelCard(file: string): Promise<ModelCard> {
  const text = (await readRegularFile(file, 'model card', MAX_CARD_BYTES)).toString('utf8');
  return parseModelCard(parseJsonText(text, file), file);
}

/**
 * Checks a parsed card against the schema and the rules a schema cannot say
 * (see `cardProblems`), and returns it typed. Otherwise throws a
 * ConfigurationError at `source` (the file, or a release asset) whose
 * `problems` carry `file` and the JSON Pointer `path` of each bad field, and
 * whose message lists the first few (`/metrics/rmse must be number`).
 */
export function parseModelCard(value: unknown, source: string): ModelCard {
  rejectProblems(cardProblems(value), source);
  return value as ModelCard;
}

/**
 * Throws a card's problems as one ConfigurationError at `source`; returns when
 * there are none. For checks that need more than the card (the service's
 * graph), so that their rejections read as the card's own; `what` names
 * another document checked the same way.
 */
export function rejectProblems(
  problems: readonly CardProblem[],
  source: string,
  what = 'the model card',
): void {
  if (problems.length === 0) return;
  const listed = problems.slice(0, MAX_LISTED).map((p) => `${p.path || '(the card)'} ${p.message}`);
  const more = problems.length - listed.length;
  throw new ConfigurationError(
    `${what} is malformed: ${listed.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`,
    source,
    problems.map((p) => ({ message: p.message, file: source, path: p.path })),
  );
}
