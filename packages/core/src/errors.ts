/**
 * Longest message a {@link ConfigurationError} carries. Messages can quote
 * input (a field, a header), and input can be as long as the data: a CLI must
 * not print megabytes, nor a CI annotation carry them.
 */
export const MAX_ERROR_MESSAGE_CHARS = 4096;

/** Where to cut `text` near `max` without splitting a surrogate pair. */
function cutAt(text: string, max: number): number {
  const cut = Math.max(0, max);
  const last = text.charCodeAt(cut - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut - 1 : cut;
}

const cutMarker = (cut: number) => `… (+${cut.toLocaleString('en-US')} characters)`;

/** `text` cut to `max` characters, with a marker saying how many were cut. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = cutAt(text, max);
  return `${text.slice(0, cut)}${cutMarker(text.length - cut)}`;
}

/** A value from the input, JSON-quoted for a message and cut to about `max` characters. */
export function quoteInput(value: unknown, max = 80): string {
  if (typeof value === 'string' && value.length > max) {
    const cut = cutAt(value, max);
    return `${JSON.stringify(value.slice(0, cut))}${cutMarker(value.length - cut)}`;
  }
  return truncateText(JSON.stringify(value) ?? String(value), max);
}

/**
 * Up to `max` names joined with ", ", each cut to `each` characters, then how
 * many more there are: a list from the input stays short however long it is.
 */
export function listSome(names: readonly string[], max = 10, each = 40): string {
  const shown = names.slice(0, max).map((n) => truncateText(n, each));
  const more = names.length - shown.length;
  return more > 0
    ? `${shown.join(', ')} (and ${more.toLocaleString('en-US')} more)`
    : shown.join(', ');
}

/**
 * A mistake the user can fix: bad input data, a bad flag, a missing file, a
 * malformed config. CLIs print its message (never a stack trace) and exit
 * non-zero; the GitHub Actions turn it into `core.setFailed`. The message is
 * cut at {@link MAX_ERROR_MESSAGE_CHARS}, whatever it quotes.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  /** Where the problem is, e.g. `params.yaml:12` or `data.dvc` or `--data`. */
  readonly where: string | undefined;

  constructor(message: string, where?: string) {
    super(
      truncateText(where === undefined ? message : `${where}: ${message}`, MAX_ERROR_MESSAGE_CHARS),
    );
    this.where = where;
  }
}

/** The message of any thrown value, Error or not. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/** Node's errno code of a thrown value, if it has one (ENOENT, EACCES, ...). */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
