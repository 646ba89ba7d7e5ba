import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvReader, type Env } from '@housing/core/env';
import { ConfigurationError, errnoCode } from '@housing/core/errors';
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

/**
 * A file every initialised PostgreSQL data folder holds, PGlite's included:
 * the service's first start writes it, so a folder without it was never logged to.
 */
const DATA_FOLDER_MARKER = 'PG_VERSION';

/**
 * Refuses an embedded store that does not exist yet, with a
 * {@link ConfigurationError} naming the folder and what to set. Opening it
 * would create an empty store (or fail on a missing parent with an mkdir
 * ENOENT), when the likely mistake is a refresh run where the service's log
 * is not; the refresh only reads the log, so it never creates one.
 */
export async function checkStoreExists(location: StoreLocation): Promise<void> {
  if (location.url) return;
  try {
    await stat(join(location.dir, DATA_FOLDER_MARKER));
  } catch (error) {
    const code = errnoCode(error);
    // Anything else (EACCES...) is left to openDatabase, whose message names it.
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new ConfigurationError(
        "no prediction log exists in this folder (nothing was logged there): point PREDICTION_LOG_DIR at the service's folder, or set DATABASE_URL",
        location.dir,
      );
  }
}

/**
 * Opens the store {@link storeLocation} names (migrated, as the service opens
 * it), after {@link checkStoreExists}: an embedded store is never created here.
 */
export async function openStore(location: StoreLocation): Promise<Database> {
  await checkStoreExists(location);
  return openDatabase({ url: location.url, dir: location.dir, maxConnections: 1 });
}

/** The store as the log and the pull request name it: the URL without its password, or the folder. */
export function describeStore(location: StoreLocation): string {
  return location.url
    ? `PostgreSQL at ${redactUrl(location.url)}`
    : `the embedded store in ${location.dir}`;
}
