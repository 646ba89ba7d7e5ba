import { readFile } from 'node:fs/promises';
import { ConfigurationError, errnoCode } from '@housing/core/errors';
import { parseJsonText } from '@housing/core/json-text';

/**
 * The record of what earlier refreshes exported, kept inside the tracked
 * data folder (so inside the data version that data.dvc names): the newest
 * feedback time exported, and the ids whose feedback arrived within
 * {@link LOOKBACK_MS} of it. It moves only when a refresh's data version is
 * merged: a pull request left open changes nothing on the base branch, so
 * the next refresh, from the base, exports the same rows again (and the new
 * ones), and a merged one is never exported twice.
 */
export interface ExportRecord {
  /** The latest `received_at` exported, ISO 8601; null before the first export. */
  watermark: string | null;
  /** Exported prediction id -> its feedback's `received_at`, for the ids near the watermark. */
  ids: Record<string, string>;
}

/** The record's file name inside the tracked data folder. */
export const RECORD_FILE = 'exported-feedback.json';

/**
 * How far before the watermark each export looks again. Feedback is stamped
 * by the service replica that took it, and a row stamped earlier can commit
 * after a later one was exported (clock skew, a slow transaction); within
 * this window the ids, not the time, decide what is new.
 */
export const LOOKBACK_MS = 24 * 60 * 60 * 1000;

/** Reads the record at `path`; none there (no export yet) is an empty record. */
export async function readExportRecord(path: string): Promise<ExportRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { watermark: null, ids: {} };
    throw new ConfigurationError(`cannot read (${errnoCode(error) ?? 'unreadable'})`, path);
  }
  const value = parseJsonText(text, path) as Partial<ExportRecord> | null;
  const ids = value?.ids;
  const watermark = value?.watermark;
  if (
    typeof ids !== 'object' ||
    ids === null ||
    Array.isArray(ids) ||
    Object.values(ids).some((at) => typeof at !== 'string' || Number.isNaN(Date.parse(at))) ||
    (watermark !== null && (typeof watermark !== 'string' || Number.isNaN(Date.parse(watermark))))
  )
    throw new ConfigurationError(
      'expected {"watermark": <ISO time or null>, "ids": {<prediction id>: <ISO time>}}',
      path,
    );
  return { watermark: watermark ?? null, ids };
}

/** Where the next export starts: the watermark less the lookback, or the beginning. */
export function exportSince(record: ExportRecord): Date | undefined {
  return record.watermark === null
    ? undefined
    : new Date(Date.parse(record.watermark) - LOOKBACK_MS);
}

/**
 * The record after exporting `exported` (id -> received_at): the watermark
 * moves to the newest time, and only ids still within the lookback stay
 * (older ones can never be read again). Sorted, so equal records are equal bytes.
 */
export function advanceRecord(record: ExportRecord, exported: Map<string, Date>): ExportRecord {
  const all = new Map(Object.entries(record.ids).map(([id, at]) => [id, Date.parse(at)]));
  for (const [id, at] of exported) all.set(id, at.getTime());
  const newest = Math.max(
    record.watermark === null ? -Infinity : Date.parse(record.watermark),
    ...all.values(),
  );
  const keepFrom = newest - LOOKBACK_MS;
  const ids = Object.fromEntries(
    [...all]
      .filter(([, at]) => at >= keepFrom)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, at]) => [id, new Date(at).toISOString()]),
  );
  return { watermark: Number.isFinite(newest) ? new Date(newest).toISOString() : null, ids };
}

/** The record's file text: pretty JSON with a trailing newline. */
export function formatExportRecord(record: ExportRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}
