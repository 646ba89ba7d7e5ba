/**
 * The prediction log's schema, as an ordered list of migrations. A migration
 * is never edited once released: a change is a new entry at the end, because
 * a store that ran the old one will not run it again.
 *
 * Both stores run the same SQL (PGlite is PostgreSQL), so nothing here may
 * use an extension PGlite lacks.
 */
export interface Migration {
  /** Position in the list, from 1; recorded in `schema_migrations`. */
  version: number;
  /** What it does, for the log. */
  name: string;
  /** Run in order, in one transaction. One statement each: PGlite prepares every query. */
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'predictions and feedback',
    statements: [
      `-- One row per predicted row: a batch of n rows is n predictions, each with its own id.
      CREATE TABLE predictions (
        id            text PRIMARY KEY,             -- the id the answer gives the client
        request_id    text NOT NULL,
        row_index     integer NOT NULL,             -- position in its request (0 for /v1/predict)
        predicted_at  timestamptz NOT NULL,
        model_version text NOT NULL,
        input         jsonb,                        -- NULL when input logging is off
        output        double precision NOT NULL
      )`,
      // Retention deletes by age, and live queries read recent rows.
      'CREATE INDEX predictions_predicted_at ON predictions (predicted_at)',
      `-- Ground truth, at most one per prediction (POST /v1/feedback is idempotent per id).
      CREATE TABLE feedback (
        prediction_id text PRIMARY KEY REFERENCES predictions (id) ON DELETE CASCADE,
        actual        double precision NOT NULL,
        received_at   timestamptz NOT NULL
      )`,
      // data:refresh reads feedback by when it arrived.
      'CREATE INDEX feedback_received_at ON feedback (received_at)',
    ],
  },
  {
    version: 2,
    name: 'prediction ids compared byte-wise',
    statements: [
      // The ids are UUIDs: no language orders them. Under the database's default collation
      // every index insert compares them as text of a locale, which costs PGlite (WebAssembly)
      // about a quarter of a logged row's time; "C" compares bytes.
      'ALTER TABLE feedback ALTER COLUMN prediction_id TYPE text COLLATE "C"',
      'ALTER TABLE predictions ALTER COLUMN id TYPE text COLLATE "C"',
    ],
  },
];
