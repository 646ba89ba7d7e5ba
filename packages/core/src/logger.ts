/**
 * The small logging interface that domain code takes instead of importing a
 * console or `@actions/core`. The CLIs pass a console logger; the GitHub
 * Actions pass one backed by `core`.
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

type Level = 'info' | 'warn' | 'error';

/**
 * A logger for the command line. On a TTY it prints readable lines and a
 * redrawn progress line; elsewhere (CI, pipes) it prints one JSON object per
 * line on stderr and skips progress, so logs stay quiet and parseable.
 */
export function createCliLogger(
  component: string,
  stream: NodeJS.WriteStream = process.stderr,
  interactive = Boolean(stream.isTTY) && !process.env.CI,
): Logger {
  let progressShown = false;
  const clearProgress = (): void => {
    if (progressShown) {
      stream.write('\r\x1b[2K');
      progressShown = false;
    }
  };
  const emit = (level: Level, message: string, fields?: Record<string, unknown>): void => {
    if (interactive) {
      clearProgress();
      const prefix = level === 'info' ? '' : `${level.toUpperCase()}: `;
      const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
      stream.write(`[${component}] ${prefix}${message}${extra}\n`);
    } else {
      stream.write(
        `${JSON.stringify({ time: new Date().toISOString(), level, component, msg: message, ...fields })}\n`,
      );
    }
  };
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    progress(message) {
      if (!interactive) return;
      stream.write(`\r\x1b[2K[${component}] ${message}`);
      progressShown = true;
    },
  };
}
