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
}

/** An integer variable: its default, its range and what it means (for --help). */
interface IntVariable {
  fallback: number;
  min: number;
  max: number;
  meaning: string;
}

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
    'A bad value stops it at startup with a message naming the variable.',
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
  read.finish('environment');
  return config;
}
