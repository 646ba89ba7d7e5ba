/**
 * A mistake the user can fix: bad input data, a bad flag, a missing file, a
 * malformed config. CLIs print its message (never a stack trace) and exit
 * non-zero; the GitHub Actions turn it into `core.setFailed`.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  /** Where the problem is, e.g. `params.yaml:12` or `data.dvc` or `--data`. */
  readonly where: string | undefined;

  constructor(message: string, where?: string) {
    super(where === undefined ? message : `${where}: ${message}`);
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
