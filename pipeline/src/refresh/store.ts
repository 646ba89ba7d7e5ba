import { EnvReader, type Env } from '@housing/core/env';
import { openDatabase, redactUrl, type Database } from '@housing/prediction-store/database';

/**
 * The embedded prediction log's folder when PREDICTION_LOG_DIR is unset,
 * relative to the working directory (the checkout): where `npm run serve`
 * keeps it by default too.
 */
export const DEFAULT_PREDICTION_LOG_DIR = 'var/prediction-log';

/** Where the prediction log is, as the service's variables name it. */
export interface StoreLocation {
  /** DATABASE_URL, or the contents of the file DATABASE_URL_FILE names. */
  url: string | undefined;
  /** PREDICTION_LOG_DIR, or {@link DEFAULT_PREDICTION_LOG_DIR}. */
  dir: string;
}

/**
 * Reads the service's variables: DATABASE_URL or DATABASE_URL_FILE (not both;
 * a compose or Kubernetes secret names the file) for PostgreSQL, else the
 * embedded store's folder PREDICTION_LOG_DIR. Every problem is one
 * ConfigurationError naming its variable, never the URL's password.
 */
export function storeLocation(env: Env = process.env): StoreLocation {
  const reader = new EnvReader(env);
  const url = reader.secret('DATABASE_URL', { required: false, file: true });
  const dir = reader.string('PREDICTION_LOG_DIR', DEFAULT_PREDICTION_LOG_DIR);
  reader.finish();
  return { url: url || undefined, dir };
}

/** Opens the store {@link storeLocation} names (migrated, as the service opens it). */
export function openStore(location: StoreLocation): Promise<Database> {
  return openDatabase({ url: location.url, dir: location.dir, maxConnections: 1 });
}

/** The store as the log and the pull request name it: the URL without its password, or the folder. */
export function describeStore(location: StoreLocation): string {
  return location.url
    ? `PostgreSQL at ${redactUrl(location.url)}`
    : `the embedded store in ${location.dir}`;
}
