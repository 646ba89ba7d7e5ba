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
 * One thing wrong with the user's input, located as precisely as is known:
 * a file and line for a config or CSV, a JSON Pointer inside a document, a
 * flag or an environment variable. Tools build annotations from these fields,
 * never from message text.
 */
export interface Problem {
  message: string;
  /** The file, relative to the working directory when it lies inside it. */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** 1-based column in `file`. */
  column?: number;
  /** A JSON Pointer inside the document, or the flag or variable at fault. */
  path?: string;
}

/** Where a problem is, as people read it: `params.yaml:12:3 /gate/metric`. */
export function formatLocation(problem: Omit<Problem, 'message'>): string {
  const place =
    problem.file === undefined
      ? ''
      : `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}${
          problem.line !== undefined && problem.column !== undefined ? `:${problem.column}` : ''
        }`;
  return [place, problem.path ?? ''].filter(Boolean).join(' ');
}

/**
 * A mistake the user can fix: bad input data, a bad flag, a missing file, a
 * malformed config. CLIs print its message (never a stack trace) and exit 2;
 * the GitHub Actions turn it into `core.setFailed`, with one annotation per
 * problem. The message is cut at {@link MAX_ERROR_MESSAGE_CHARS}, whatever it quotes.
 *
 * `where` is either a place as text (`--data`, `DVC_REMOTE_URL`, `data.dvc`)
 * or a structured location; `problems` lists every problem when there are
 * several (the first one's message is the error's).
 */
export class ConfigurationError extends Error {
  override readonly name: string = 'ConfigurationError';
  /** Where the problem is, as text, e.g. `params.yaml:12` or `data.dvc` or `--data`. */
  readonly where: string | undefined;
  /** Every problem, each with its own location; at least one. */
  readonly problems: readonly Problem[];

  constructor(message: string, where?: string | Omit<Problem, 'message'>, problems?: Problem[]) {
    const located = typeof where === 'object' ? where : undefined;
    const text = typeof where === 'string' ? where : located ? formatLocation(located) : undefined;
    super(truncateText(text ? `${text}: ${message}` : message, MAX_ERROR_MESSAGE_CHARS));
    this.where = text || undefined;
    this.problems =
      problems && problems.length > 0
        ? problems
        : [located ? { message, ...located } : text ? { message, path: text } : { message }];
  }
}

/**
 * A program this code ran failed: its command, exit code (or signal) and the
 * end of its stderr. Not the user's input and not a bug here: CLIs print the
 * message without a stack and exit 1.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    /** The program and its arguments, for the message. */
    readonly command: readonly string[],
    /** Its exit code, or null when a signal ended it. */
    readonly exitCode: number | null,
    /** The last part of its stderr (at most 4 KiB). */
    readonly stderr: string,
    /** The signal that ended it, if one did. */
    readonly signal: NodeJS.Signals | null = null,
    /**
     * What the command was for, put before it in the message (`stage 'train'
     * (dvc.yaml:12)`): a command line alone does not say which step failed.
     */
    readonly context?: string,
  ) {
    const how = exitCode === null ? `was killed by ${signal ?? 'a signal'}` : `exited ${exitCode}`;
    const head = `${context ? `${context}: ` : ''}${command.join(' ')} ${how}`;
    // The end of stderr says why; it gets the room the head leaves, never more than 4 KiB.
    const room = Math.max(0, Math.min(4096, MAX_ERROR_MESSAGE_CHARS - head.length - 2));
    const tail = room > 0 ? stderr.trim().slice(-room) : '';
    super(truncateText(`${head}${tail ? `: ${tail}` : ''}`, MAX_ERROR_MESSAGE_CHARS));
  }
}

/**
 * GitHub's REST API answered with an error status. `status` lets callers
 * tell "not found" (an answer) from a failure, without reading the message.
 */
export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';
  constructor(
    readonly method: string,
    /** The request path, without host or query secrets. */
    readonly path: string,
    readonly status: number,
    /** The start of GitHub's answer (at most 300 characters). */
    readonly body: string,
  ) {
    super(
      `GitHub API ${method} ${path} answered ${status}${body ? `: ${body.slice(0, 300)}` : ''}`,
    );
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
