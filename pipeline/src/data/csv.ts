import { createReadStream } from 'node:fs';
import { ConfigurationError, errnoCode } from '../util/errors.ts';

/** One CSV record with the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Streams the records of an RFC 4180 CSV file: quoted fields, doubled quotes,
 * newlines inside quotes, CRLF. Memory stays bounded by the longest record,
 * whatever the file's size. The fast path (a line with no quote) is a plain split.
 */
export async function* readCsv(path: string): AsyncGenerator<CsvRecord> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (error) {
    throw new ConfigurationError(`cannot read the CSV (${errnoCode(error) ?? 'unreadable'})`, path);
  }
  let carry = '';
  let line = 0;
  let pending: string | undefined; // an open quoted record spanning lines
  let pendingLine = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = carry + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let raw = text.slice(start, nl);
      start = nl + 1;
      line++;
      if (raw.endsWith('\r')) raw = raw.slice(0, -1);
      const record = pending === undefined ? raw : `${pending}\n${raw}`;
      const recordLine = pending === undefined ? line : pendingLine;
      if (record.includes('"')) {
        const fields = parseQuoted(record);
        if (fields === undefined) {
          if (pending === undefined) pendingLine = line;
          pending = record;
          continue;
        }
        pending = undefined;
        yield { line: recordLine, fields };
      } else {
        if (record === '') continue;
        yield { line: recordLine, fields: record.split(',') };
      }
    }
    carry = text.slice(start);
  }
  if (carry !== '' || pending !== undefined) {
    line++;
    let raw = carry.endsWith('\r') ? carry.slice(0, -1) : carry;
    const recordLine = pending === undefined ? line : pendingLine;
    if (pending !== undefined) raw = `${pending}\n${raw}`;
    const fields = raw.includes('"') ? parseQuoted(raw) : raw.split(',');
    if (fields === undefined) throw new ConfigurationError('unterminated quoted field', `${path}:${recordLine}`);
    if (raw !== '') yield { line: recordLine, fields };
  }
}

/** Parses one record with quotes; undefined when a quote is still open. */
function parseQuoted(record: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (record[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += c;
    } else if (c === '"') inQuotes = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (inQuotes) return undefined;
  fields.push(field);
  return fields;
}

/**
 * Maps a header to the contract's columns: every contract column must be
 * present exactly once; extra columns are an error, so a renamed column
 * is caught rather than silently ignored.
 */
export function mapHeader(header: string[], columns: string[], where: string): number[] {
  const trimmed = header.map((h) => h.trim());
  const missing = columns.filter((c) => !trimmed.includes(c));
  const extra = trimmed.filter((h) => !columns.includes(h));
  const dupes = trimmed.filter((h, i) => trimmed.indexOf(h) !== i);
  const problems = [
    missing.length > 0 ? `missing column(s) ${missing.join(', ')}` : '',
    extra.length > 0 ? `unexpected column(s) ${extra.join(', ')}` : '',
    dupes.length > 0 ? `repeated column(s) ${dupes.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new ConfigurationError(`header does not match the data contract: ${problems.join('; ')}`, `${where}:1`);
  }
  return columns.map((c) => trimmed.indexOf(c));
}
