import { ConfigurationError } from '../../pipeline/src/util/errors.ts';

/** Log levels pino understands. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The service's configuration, parsed and checked once at startup. */
export interface ServiceConfig {
  host: string;
  port: number;
  /** Folder holding model.onnx and model.card.json. */
  modelDir: string;
  /** Largest request body, in bytes. */
  bodyLimitBytes: number;
  maxBatchRows: number;
  /** Bearer token for POST /admin/reload; undefined disables the endpoint. */
  adminToken: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  /** How long SIGTERM waits for in-flight requests before closing them. */
  shutdownTimeoutMs: number;
  /**
   * How long SIGTERM keeps accepting connections (answering them with
   * Connection: close, /readyz 503) before it closes the listener: load
   * balancers need a moment to stop sending, and the kernel's accept queue
   * would otherwise be reset.
   */
  shutdownDrainMs: number;
  /** Rows of recent requests the online drift is computed over. */
  driftWindowRows: number;
  driftIntervalMs: number;
  /**
   * HTTP and prediction metrics plus drift observation on the request path.
   * Only benchmarks turn it off (INSTRUMENTATION=off), to measure its cost.
   */
  instrumentation: boolean;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the configuration from the environment. Every bad value fails fast
 * with a message that names the variable and what it accepts.
 */
export function parseConfig(env: Env = process.env): ServiceConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const level = env.LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    problems.push(`LOG_LEVEL=${JSON.stringify(level)}: expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const token = env.ADMIN_TOKEN === '' ? undefined : env.ADMIN_TOKEN;
  if (token !== undefined && token.length < 16)
    problems.push(
      'ADMIN_TOKEN: must be at least 16 characters (or unset to disable /admin/reload)',
    );
  const config: ServiceConfig = {
    // Loopback unless told otherwise; the container image sets HOST=0.0.0.0.
    host: env.HOST ?? '127.0.0.1',
    port: int('PORT', 8080, 0, 65535),
    modelDir: env.MODEL_DIR ?? 'models/production',
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    maxBatchRows: int('MAX_BATCH_ROWS', 1000, 1, 100_000),
    adminToken: token,
    logLevel: level as ServiceConfig['logLevel'],
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    shutdownDrainMs: int('SHUTDOWN_DRAIN_MS', 1000, 0, 600_000),
    driftWindowRows: int('DRIFT_WINDOW_ROWS', 5000, 10, 1_000_000),
    driftIntervalMs: int('DRIFT_INTERVAL_MS', 10_000, 100, 3_600_000),
    instrumentation: env.INSTRUMENTATION !== 'off',
  };
  if (env.INSTRUMENTATION !== undefined && !['on', 'off'].includes(env.INSTRUMENTATION)) {
    problems.push(`INSTRUMENTATION=${JSON.stringify(env.INSTRUMENTATION)}: expected on or off`);
  }
  if (problems.length > 0)
    throw new ConfigurationError(
      `invalid configuration:\n  ${problems.join('\n  ')}`,
      'environment',
    );
  return config;
}
