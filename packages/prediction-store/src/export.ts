import type { Database } from './database.ts';

/** One prediction that received ground truth, with the input it was made on. */
export interface LabelledRow {
  /** The prediction's id (feedback's prediction_id): one row per id. */
  id: string;
  modelVersion: string;
  predictedAt: Date;
  /** When the ground truth arrived; the export's watermark moves on this. */
  receivedAt: Date;
  /** The input row as the service logged it (the features, by name). */
  input: Record<string, unknown>;
  /** The model's answer. */
  output: number;
  /** The ground truth: the target's real value. */
  actual: number;
}

/** How many labelled and unlabelled predictions a period holds. */
export interface LabelCoverage {
  predictions: number;
  labelled: number;
  /** Labelled predictions whose input was not logged (input logging off): never exportable. */
  labelledWithoutInput: number;
}

interface LabelledRecord {
  id: string;
  model_version: string;
  predicted_at: Date | string;
  received_at: Date | string;
  input: Record<string, unknown>;
  output: number;
  actual: number;
}

/**
 * The labelled predictions whose feedback arrived at or after `since` (all of
 * them without it), oldest feedback first: feedback joined to its prediction,
 * only where the input was logged (a row without features cannot become
 * training data). feedback's primary key is the prediction id, so each id
 * appears once. Only feedback, which POST /v1/feedback takes with its own
 * token, becomes training data: a prediction request alone never does.
 */
export async function exportLabelledRows(
  db: Pick<Database, 'query'>,
  since?: Date,
): Promise<LabelledRow[]> {
  const rows = await db.query<LabelledRecord>(
    `SELECT p.id, p.model_version, p.predicted_at, f.received_at, p.input, p.output, f.actual
       FROM feedback f JOIN predictions p ON p.id = f.prediction_id
      WHERE p.input IS NOT NULL AND ($1::timestamptz IS NULL OR f.received_at >= $1::timestamptz)
      ORDER BY f.received_at, p.id`,
    [since?.toISOString() ?? null],
  );
  return rows.map((row) => ({
    id: row.id,
    modelVersion: row.model_version,
    predictedAt: new Date(row.predicted_at),
    receivedAt: new Date(row.received_at),
    input: row.input,
    output: Number(row.output),
    actual: Number(row.actual),
  }));
}

/**
 * Label coverage of the predictions made at or after `since` (all without
 * it): how many got ground truth, and how many of those were logged without
 * their input. The refresh's pull request reports it.
 */
export async function labelCoverage(
  db: Pick<Database, 'query'>,
  since?: Date,
): Promise<LabelCoverage> {
  const [row] = await db.query<{ predictions: string; labelled: string; blind: string }>(
    `SELECT count(*) AS predictions,
            count(f.prediction_id) AS labelled,
            count(f.prediction_id) FILTER (WHERE p.input IS NULL) AS blind
       FROM predictions p LEFT JOIN feedback f ON f.prediction_id = p.id
      WHERE $1::timestamptz IS NULL OR p.predicted_at >= $1::timestamptz`,
    [since?.toISOString() ?? null],
  );
  // count() is bigint: pg hands it over as text.
  return {
    predictions: Number(row?.predictions ?? 0),
    labelled: Number(row?.labelled ?? 0),
    labelledWithoutInput: Number(row?.blind ?? 0),
  };
}
