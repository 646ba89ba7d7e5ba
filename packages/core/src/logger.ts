import { pino, type DestinationStream, type Logger as Pino } from 'pino';

/**
 * The small logging interface that domain code takes instead of importing a
 * console, pino or `@actions/core`. The CLIs and the relay pass
 * {@link createCliLogger} (pino underneath); the GitHub Actions pass one
 * backed by `core`.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /**
   * Transient progress (boosting rounds, say). Interactive terminals redraw
   * one line; CI logs get nothing, so their output stays quiet.
   */
  progress(message: string): void;
}

/** A logger that drops everything: for tests and library callers. */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  progress() {},
};

/** Where log lines go: process.stdout, process.stderr, or anything with `write`. */
export interface LogStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** How {@link createLogger} writes. */
export interface LoggerOptions {
  /** pino's level (`info` unless set: LOG_LEVEL for the service). */
  level?: string;
  /** Where lines go; stderr unless set (the service writes to stdout). */
  stream?: LogStream;
  /** Readable lines instead of JSON; by default when `stream` is a TTY and `CI` is unset. */
  interactive?: boolean;
}

/** A person is reading: a terminal, and not a CI job that happens to allocate one. */
function isInteractive(stream: LogStream): boolean {
  return Boolean(stream.isTTY) && !process.env.CI;
}

/** Fields every pino line has that a person at a terminal does not need repeated. */
const LINE_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'component', 'msg']);

/**
 * pino's JSON line as a person reads it: `[train] WARN: message {"fields":1}`.
 * Info carries no prefix, as most lines are info.
 */
export function readableLine(json: string): string {
  const entry = JSON.parse(json) as Record<string, unknown>;
  const label = pino.levels.labels[Number(entry.level)] ?? String(entry.level);
  const fields = Object.fromEntries(Object.entries(entry).filter(([key]) => !LINE_KEYS.has(key)));
  const tag = typeof entry.component === 'string' ? `[${entry.component}] ` : '';
  const prefix = label === 'info' ? '' : `${label.toUpperCase()}: `;
  const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  const message = typeof entry.msg === 'string' ? entry.msg : JSON.stringify(entry.msg ?? '');
  return `${tag}${prefix}${message}${extra}\n`;
}

/**
 * A pino destination for a terminal: each JSON line is rewritten as a
 * readable one, and a redrawn progress line is cleared first so the two
 * never share a line. Written here, synchronously, rather than through
 * pino-pretty's worker thread: a CLI that exits right after its last line
 * must not lose it, and the progress line shares the same stream.
 */
class TerminalDestination implements DestinationStream {
  private progressShown = false;

  constructor(private readonly stream: LogStream) {}

  write(json: string): void {
    this.clearProgress();
    this.stream.write(readableLine(json));
  }

  progress(component: string, message: string): void {
    this.stream.write(`\r\x1b[2K[${component}] ${message}`);
    this.progressShown = true;
  }

  private clearProgress(): void {
    if (!this.progressShown) return;
    this.stream.write('\r\x1b[2K');
    this.progressShown = false;
  }
}

/** The pino logger and, on a terminal, the destination that also draws progress. */
function build(
  component: string,
  options: LoggerOptions,
): { logger: Pino; terminal: TerminalDestination | undefined } {
  const stream = options.stream ?? process.stderr;
  const terminal =
    (options.interactive ?? isInteractive(stream)) ? new TerminalDestination(stream) : undefined;
  const destination: DestinationStream = terminal ?? {
    write: (line: string) => void stream.write(line),
  };
  // pino's own line (level number, epoch-ms time, pid, hostname, msg) plus
  // `component`: every process of the project writes this one format.
  const logger = pino({ level: options.level ?? 'info' }, destination).child({ component });
  return { logger, terminal };
}

/**
 * The project's pino logger for `component`: one JSON object per line
 * (`level`, `time`, `pid`, `hostname`, `component`, `msg`, then fields), or
 * readable lines on a terminal. The service takes this one directly, for
 * pino's API (`isLevelEnabled`, fields first).
 */
export function createLogger(component: string, options: LoggerOptions = {}): Pino {
  return build(component, options).logger;
}

/**
 * A {@link Logger} for the command line, over {@link createLogger}: on a TTY
 * readable lines and a redrawn progress line; elsewhere (CI, pipes) pino's
 * JSON lines on stderr and no progress, so logs stay quiet and parseable.
 */
export function createCliLogger(
  component: string,
  stream: LogStream = process.stderr,
  interactive = isInteractive(stream),
): Logger {
  const { logger, terminal } = build(component, { stream, interactive });
  return {
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
    progress: (message) => terminal?.progress(component, message),
  };
}
