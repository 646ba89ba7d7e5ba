import { EnvReader, type Env } from '@housing/core/env';
import { FD_RESERVE, openFileLimit } from './fd-limit.ts';

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
  /** Bearer token for POST /admin/reload (ADMIN_TOKEN or ADMIN_TOKEN_FILE); undefined disables the endpoint. */
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
  /** How long a client may take to send a request's headers (Node's `headersTimeout`). */
  headersTimeoutMs: number;
  /** How long a client may take to send a whole request, body included (`requestTimeout`). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after a response (`keepAliveTimeout`). */
  keepAliveTimeoutMs: number;
  /**
   * How often Node looks for requests past the two timeouts above
   * (`connectionsCheckingInterval`): a timeout is enforced up to this late.
   */
  connectionsCheckIntervalMs: number;
  /**
   * Most connections open at once. At the limit a new connection replaces the
   * idle one that was active least recently, or is refused when every
   * connection has a request in flight (see http/connections.ts).
   */
  maxConnections: number;
  /** Bearer token for POST /v1/feedback (FEEDBACK_TOKEN or FEEDBACK_TOKEN_FILE); undefined disables the route. */
  feedbackToken: string | undefined;
  /** The prediction log (prediction-log/), or undefined when PREDICTION_LOG=off. */
  predictionLog: PredictionLogConfig | undefined;
}

/** Where and how the service records its predictions. */
export interface PredictionLogConfig {
  /** PostgreSQL (DATABASE_URL or DATABASE_URL_FILE); undefined: the embedded store in `dir`. */
  databaseUrl: string | undefined;
  /** The embedded store's folder (PREDICTION_LOG_DIR). */
  dir: string;
  /** Whether each row's input is stored, or NULL (PREDICTION_LOG_INPUTS). */
  inputs: boolean;
  /** Most rows waiting to be written; past it new ones are dropped, counted. */
  queueRows: number;
  /** Most rows per INSERT. */
  batchRows: number;
  /** How long a row may wait for a batch to fill before it is written anyway. */
  flushIntervalMs: number;
  /** Age in days past which rows are deleted; 0 keeps them. */
  retentionDays: number;
}

/** An integer variable: its default, its range and what it means (for --help). */
interface IntVariable {
  fallback: number;
  min: number;
  max: number;
  meaning: string;
}

/** Where the embedded prediction log lives by default: under var/, which git ignores. */
export const DEFAULT_LOG_DIR = 'var/prediction-log';

/** Default of MAX_CONNECTIONS, lowered to what the open-file limit leaves (see parseConfig). */
const DEFAULT_MAX_CONNECTIONS = 10_000;

/** Every integer variable, in the order --help lists them. */
const INT_VARIABLES = {
  PORT: { fallback: 8080, min: 0, max: 65535, meaning: 'port to listen on, 0 for any free one' },
  BODY_LIMIT_BYTES: {
    fallback: 1_048_576,
    min: 1024,
    max: 104_857_600,
    meaning: 'largest request body, decoded; larger ones get 413',
  },
  MAX_BATCH_ROWS: { fallback: 1000, min: 1, max: 100_000, meaning: 'rows per batch request' },
  SHUTDOWN_TIMEOUT_MS: {
    fallback: 10_000,
    min: 0,
    max: 600_000,
    meaning: 'how long SIGTERM waits for in-flight requests',
  },
  SHUTDOWN_DRAIN_MS: {
    fallback: 1000,
    min: 0,
    max: 600_000,
    meaning: 'how long SIGTERM keeps accepting, unready, before it stops',
  },
  DRIFT_WINDOW_ROWS: {
    fallback: 5000,
    min: 10,
    max: 1_000_000,
    meaning: 'rows of recent requests the online drift is computed over',
  },
  DRIFT_INTERVAL_MS: {
    fallback: 10_000,
    min: 100,
    max: 3_600_000,
    meaning: 'how often the drift (PSI) is recomputed',
  },
  HEADERS_TIMEOUT_MS: {
    fallback: 10_000,
    min: 100,
    max: 600_000,
    meaning: 'time a client has to send its headers; then 408 and close',
  },
  REQUEST_TIMEOUT_MS: {
    fallback: 30_000,
    min: 100,
    max: 3_600_000,
    meaning: 'time a client has to send its whole request; then 408 and close',
  },
  KEEP_ALIVE_TIMEOUT_MS: {
    fallback: 5000,
    min: 100,
    max: 3_600_000,
    meaning: 'how long an idle keep-alive connection stays open',
  },
  CONNECTIONS_CHECK_INTERVAL_MS: {
    fallback: 1000,
    min: 10,
    max: 60_000,
    meaning: 'how often the two timeouts above are checked',
  },
  MAX_CONNECTIONS: {
    fallback: DEFAULT_MAX_CONNECTIONS,
    min: 1,
    max: 1_000_000,
    meaning: `most open connections; lowered to ulimit -n minus ${FD_RESERVE} if that is less`,
  },
  PREDICTION_LOG_QUEUE_ROWS: {
    fallback: 100_000,
    min: 1,
    max: 10_000_000,
    meaning: 'rows waiting to be logged; past it new ones are dropped (counted)',
  },
  PREDICTION_LOG_BATCH_ROWS: {
    fallback: 1000,
    min: 1,
    max: 100_000,
    meaning: 'most rows per INSERT into the log',
  },
  PREDICTION_LOG_FLUSH_MS: {
    fallback: 1000,
    min: 1,
    max: 600_000,
    meaning: 'how long a row waits for its batch to fill before it is written',
  },
  PREDICTION_LOG_RETENTION_DAYS: {
    fallback: 90,
    min: 0,
    max: 36_500,
    meaning: 'logged rows older than this are deleted, hourly and in batches; 0 keeps them',
  },
} satisfies Record<string, IntVariable>;

/** Every variable the service reads, with its default and meaning: the --help text. */
export function usage(): string {
  const rows: [string, string, string][] = [
    ['HOST', '127.0.0.1', 'address to listen on (the container image sets 0.0.0.0)'],
    ['MODEL_DIR', 'models/production', 'folder with model.onnx and model.card.json'],
    ['ADMIN_TOKEN', 'unset', 'bearer token for POST /admin/reload, 16+ visible ASCII characters'],
    ['ADMIN_TOKEN_FILE', 'unset', 'a file holding it (a Compose secret); set one of the two'],
    ['LOG_LEVEL', 'info', LOG_LEVELS.join(', ')],
    ['INSTRUMENTATION', 'on', 'off skips request-path metrics and drift (benchmarks only)'],
    [
      'FEEDBACK_TOKEN',
      'unset',
      'bearer token for POST /v1/feedback, not ADMIN_TOKEN; unset disables it',
    ],
    ['FEEDBACK_TOKEN_FILE', 'unset', 'a file holding it (a Compose secret); set one of the two'],
    [
      'PREDICTION_LOG',
      'on',
      'on records every prediction (id, input, output) off the request path',
    ],
    ['PREDICTION_LOG_INPUTS', 'on', 'off logs each prediction without its input row (input NULL)'],
    ['DATABASE_URL', 'unset', 'postgres://user:password@host:port/db for the log; unset: embedded'],
    ['DATABASE_URL_FILE', 'unset', 'a file holding it (a Compose secret); set one of the two'],
    [
      'PREDICTION_LOG_DIR',
      DEFAULT_LOG_DIR,
      'the embedded store (PGlite) folder, without DATABASE_URL',
    ],
    ...Object.entries(INT_VARIABLES).map(([name, v]): [string, string, string] => [
      name,
      String(v.fallback),
      `${v.meaning} (${v.min} to ${v.max})`,
    ]),
  ];
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return [
    'usage: node service/src/main.ts   (or npm run serve)',
    '',
    'Serves the model in MODEL_DIR over HTTP: /v1/predict, /v1/predict/batch, /metrics,',
    '/healthz, /readyz, /docs/. It takes no arguments; the environment configures it:',
    '',
    ...rows.map(([name, fallback, meaning]) =>
      `  ${name.padEnd(width)}${fallback.padEnd(19)}${meaning}`.trimEnd(),
    ),
    '',
    'A bad value stops it at startup with a message naming the variable; so does a',
    'DATABASE_URL that does not answer (named without its password).',
    'SIGHUP reloads the model; SIGTERM and SIGINT drain in-flight requests and exit 0.',
    '',
  ].join('\n');
}

/**
 * Reads the configuration from the environment. Every bad value fails fast
 * with a message that names the variable and what it accepts. `openFiles`
 * is the process's open-file limit (ulimit -n), when known: connections
 * past it would fail to be accepted at all (EMFILE), and with them every
 * real client, so MAX_CONNECTIONS must stay under it.
 */
export function parseConfig(
  env: Env = process.env,
  openFiles: number | undefined = openFileLimit(),
): ServiceConfig {
  const read = new EnvReader(env);
  const int = (name: keyof typeof INT_VARIABLES, fallback?: number): number => {
    const spec: IntVariable = INT_VARIABLES[name];
    return read.int(name, { ...spec, fallback: fallback ?? spec.fallback });
  };
  const connectionRoom = openFiles === undefined ? undefined : openFiles - FD_RESERVE;
  const config: ServiceConfig = {
    // Loopback unless told otherwise; the container image sets HOST=0.0.0.0.
    // An empty value means unset, as for every variable: '' would listen on every interface.
    host: read.string('HOST', '127.0.0.1'),
    port: int('PORT'),
    modelDir: read.string('MODEL_DIR', 'models/production'),
    bodyLimitBytes: int('BODY_LIMIT_BYTES'),
    maxBatchRows: int('MAX_BATCH_ROWS'),
    // A token no header can carry would make /admin/reload a 401 for everyone.
    // From a file as the relay reads its tokens, so a Compose secret keeps it
    // out of the container's environment (docker inspect shows that).
    adminToken:
      read.secret('ADMIN_TOKEN', {
        required: false,
        file: true,
        minLength: { chars: 16, hint: '(or unset to disable /admin/reload)' },
      }) || undefined,
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS'),
    shutdownDrainMs: int('SHUTDOWN_DRAIN_MS'),
    driftWindowRows: int('DRIFT_WINDOW_ROWS'),
    driftIntervalMs: int('DRIFT_INTERVAL_MS'),
    instrumentation: read.onOff('INSTRUMENTATION', true),
    headersTimeoutMs: int('HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS'),
    keepAliveTimeoutMs: int('KEEP_ALIVE_TIMEOUT_MS'),
    connectionsCheckIntervalMs: int('CONNECTIONS_CHECK_INTERVAL_MS'),
    maxConnections: int(
      'MAX_CONNECTIONS',
      Math.max(1, Math.min(DEFAULT_MAX_CONNECTIONS, connectionRoom ?? Infinity)),
    ),
    feedbackToken: undefined,
    predictionLog: undefined,
  };
  // Node refuses a headers timeout longer than the request timeout, which covers the headers too.
  if (config.requestTimeoutMs < config.headersTimeoutMs)
    read.problem(
      `REQUEST_TIMEOUT_MS=${JSON.stringify(env.REQUEST_TIMEOUT_MS ?? String(config.requestTimeoutMs))}: must be at least HEADERS_TIMEOUT_MS (${config.headersTimeoutMs})`,
    );
  if (env.MAX_CONNECTIONS && connectionRoom !== undefined && config.maxConnections > connectionRoom)
    read.problem(
      `MAX_CONNECTIONS=${JSON.stringify(env.MAX_CONNECTIONS)}: the process may have ${openFiles} open files (ulimit -n) and keeps ${FD_RESERVE} for its own; at most ${Math.max(0, connectionRoom)}`,
    );
  config.feedbackToken = feedbackToken(read, config.adminToken);
  config.predictionLog = predictionLogConfig(read, int);
  read.finish('environment');
  return config;
}

/**
 * FEEDBACK_TOKEN (or _FILE): its own token, so that whoever labels
 * predictions cannot also swap the model. The same value as the admin token
 * would undo that, so it is refused, without quoting either.
 */
function feedbackToken(read: EnvReader, adminToken: string | undefined): string | undefined {
  const token =
    read.secret('FEEDBACK_TOKEN', {
      required: false,
      file: true,
      minLength: { chars: 16, hint: '(or unset to disable /v1/feedback)' },
    }) || undefined;
  if (token !== undefined && token === adminToken)
    read.problem(
      'FEEDBACK_TOKEN: must differ from ADMIN_TOKEN (a labeller must not be able to reload the model)',
    );
  return token;
}

/** The prediction log's variables; undefined when PREDICTION_LOG=off. */
function predictionLogConfig(
  read: EnvReader,
  int: (name: keyof typeof INT_VARIABLES) => number,
): PredictionLogConfig | undefined {
  const on = read.onOff('PREDICTION_LOG', true);
  const log: PredictionLogConfig = {
    // Not a bearer token, but a secret all the same (its password): read as one, never echoed.
    databaseUrl: databaseUrl(read),
    dir: read.string('PREDICTION_LOG_DIR', DEFAULT_LOG_DIR),
    inputs: read.onOff('PREDICTION_LOG_INPUTS', true),
    queueRows: int('PREDICTION_LOG_QUEUE_ROWS'),
    batchRows: int('PREDICTION_LOG_BATCH_ROWS'),
    flushIntervalMs: int('PREDICTION_LOG_FLUSH_MS'),
    retentionDays: int('PREDICTION_LOG_RETENTION_DAYS'),
  };
  if (log.batchRows > log.queueRows)
    read.problem(
      `PREDICTION_LOG_BATCH_ROWS=${JSON.stringify(String(log.batchRows))}: must be at most PREDICTION_LOG_QUEUE_ROWS (${log.queueRows})`,
    );
  return on ? log : undefined;
}

/** DATABASE_URL or DATABASE_URL_FILE, checked to be a postgres:// URL without echoing it. */
function databaseUrl(read: EnvReader): string | undefined {
  const url = read.secret('DATABASE_URL', { required: false, file: true }) || undefined;
  if (url === undefined) return undefined;
  const name = read.raw('DATABASE_URL_FILE') === undefined ? 'DATABASE_URL' : 'DATABASE_URL_FILE';
  let scheme: string | undefined;
  try {
    scheme = new URL(url).protocol;
  } catch {
    read.problem(`${name}: not a URL (expected postgres://user:password@host:port/database)`);
    return undefined;
  }
  if (scheme !== 'postgres:' && scheme !== 'postgresql:')
    read.problem(`${name}: the scheme is '${scheme}', expected postgres:// or postgresql://`);
  return url;
}
