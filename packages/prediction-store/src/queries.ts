import type { Database } from './database.ts';

/** One predicted row, as the service logs it. */
export interface PredictionRecord {
  /** The id the answer gave the client (a random UUID). */
  id: string;
  request_id: string;
  /** Position in its request (0 for /v1/predict). */
  row_index: number;
  /** When it was predicted, ISO 8601. */
  predicted_at: string;
  model_version: string;
  /** The request row, or null when input logging is off. */
  input: unknown;
  output: number;
}

/**
 * Writes `records` with ONE statement, whatever their number: the rows travel
 * as one JSON parameter that `jsonb_to_recordset` unpacks on the server. One
 * round trip and one parse per batch, on both stores (PGlite has no COPY from
 * a Node stream, and a VALUES list of 7,000 parameters would be prepared anew
 * for each batch size).
 */
export async function insertPredictions(
  db: Pick<Database, 'query'>,
  records: readonly PredictionRecord[],
): Promise<void> {
  if (records.length === 0) return;
  await db.query(
    `INSERT INTO predictions (id, request_id, row_index, predicted_at, model_version, input, output)
     SELECT id, request_id, row_index, predicted_at, model_version, input, output
     FROM jsonb_to_recordset($1::jsonb) AS r(id text, request_id text, row_index integer,
       predicted_at timestamptz, model_version text, input jsonb, output double precision)`,
    [JSON.stringify(records)],
  );
}

/**
 * Deletes predictions (and, by cascade, their feedback) older than `days`,
 * `batchRows` at a time, each batch its own statement: a long DELETE would
 * hold its locks and bloat one transaction, and the log keeps writing
 * meanwhile. Returns how many rows it deleted.
 */
export async function deleteExpiredPredictions(
  db: Pick<Database, 'query'>,
  days: number,
  batchRows: number,
): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db.query<{ id: string }>(
      `DELETE FROM predictions WHERE id IN (
         SELECT id FROM predictions
         WHERE predicted_at < now() - make_interval(days => $1::integer)
         LIMIT $2::integer)
       RETURNING id`,
      [days, batchRows],
    );
    total += deleted.length;
    if (deleted.length < batchRows) return total;
  }
}

/** Ground truth for one prediction. */
export interface FeedbackItem {
  id: string;
  actual: number;
}

/** What the store made of one {@link FeedbackItem}. */
export type FeedbackOutcome =
  /** No prediction has this id (yet: the log writes asynchronously). */
  | { id: string; status: 'unknown' }
  /** Recorded now: the prediction's model and output, for the live-accuracy metrics. */
  | { id: string; status: 'recorded'; model_version: string; output: number }
  /** Already recorded with the same value: nothing changed. */
  | { id: string; status: 'duplicate' }
  /** Already recorded with another value, which stays. */
  | { id: string; status: 'conflict'; stored: number };

interface FeedbackRow {
  id: string;
  model_version: string | null;
  output: number | null;
  stored: number | null;
  inserted: boolean;
}

/**
 * Records ground truth for predictions, at most once per id: an id that
 * already has feedback keeps its first value (`INSERT ... ON CONFLICT DO
 * NOTHING`), so a retry is harmless and two racing writers cannot both count.
 * Ids must be distinct. Outcomes come back in the order of `items`.
 */
export async function recordFeedback(
  db: Pick<Database, 'query'>,
  items: readonly FeedbackItem[],
): Promise<FeedbackOutcome[]> {
  if (items.length === 0) return [];
  const rows = await db.query<FeedbackRow>(
    `WITH input AS (
       SELECT r.id, r.actual, r.ord FROM jsonb_to_recordset($1::jsonb) AS r(id text, actual double precision, ord integer)
     ), inserted AS (
       INSERT INTO feedback (prediction_id, actual, received_at)
       SELECT i.id, i.actual, now() FROM input i JOIN predictions p ON p.id = i.id
       ON CONFLICT (prediction_id) DO NOTHING
       RETURNING prediction_id
     )
     SELECT i.id, p.model_version, p.output, f.actual AS stored, (ins.prediction_id IS NOT NULL) AS inserted
     FROM input i
     LEFT JOIN predictions p ON p.id = i.id
     LEFT JOIN feedback f ON f.prediction_id = i.id
     LEFT JOIN inserted ins ON ins.prediction_id = i.id
     ORDER BY i.ord`,
    [JSON.stringify(items.map((item, ord) => ({ id: item.id, actual: item.actual, ord })))],
  );
  // A statement's snapshot predates a concurrent writer's commit that its ON CONFLICT
  // waited for: such an id was not inserted here, yet its stored value was not visible.
  const unseen = rows.filter(
    (row) => !row.inserted && row.model_version !== null && row.stored === null,
  );
  if (unseen.length > 0) {
    const stored = await db.query<{ prediction_id: string; actual: number }>(
      'SELECT prediction_id, actual FROM feedback WHERE prediction_id = ANY($1::text[])',
      [unseen.map((row) => row.id)],
    );
    const byId = new Map(stored.map((row) => [row.prediction_id, row.actual]));
    for (const row of unseen) row.stored = byId.get(row.id) ?? null;
  }
  return rows.map((row, i): FeedbackOutcome => {
    const { id, actual } = items[i]!;
    if (row.model_version === null || row.output === null) return { id, status: 'unknown' };
    if (row.inserted)
      return { id, status: 'recorded', model_version: row.model_version, output: row.output };
    return row.stored === actual
      ? { id, status: 'duplicate' }
      : { id, status: 'conflict', stored: row.stored ?? Number.NaN };
  });
}
