import { createReadStream } from 'node:fs';
import { ConfigurationError, errnoCode, listSome } from '@housing/core/errors';
import { CsvParser, DEFAULT_CSV_LIMITS, type CsvLimits, type CsvRecord } from './csv-parser.ts';

export {
  csvFields,
  DEFAULT_CSV_LIMITS,
  MAX_CSV_LIMIT,
  type CsvLimits,
  type CsvRecord,
} from './csv-parser.ts';

/** The records of one chunk, taken one at a time, synchronously (see {@link readCsvChunks}). */
export interface CsvRecordSource {
  /** The next record, or undefined once this chunk is used up. */
  next(): CsvRecord | undefined;
}

/**
 * Streams the records of an RFC 4180 CSV file (see {@link CsvParser}) in one
 * pass. Memory holds one chunk and at most one record, which `limits` bounds:
 * a longer record, or header, is an error naming its line.
 */
export async function* readCsv(
  path: string,
  limits: Readonly<CsvLimits> = DEFAULT_CSV_LIMITS,
): AsyncGenerator<CsvRecord> {
  for await (const records of readCsvChunks(path, limits))
    for (let record = records.next(); record; record = records.next()) yield record;
}

/**
 * {@link readCsv} a chunk at a time: each chunk's records are taken from the
 * source it yields with `next()` until it returns undefined, before asking for
 * the next chunk. The same reader, limits and memory bound (one chunk, one
 * record); only the await per record is gone, which cost a parse-only pass
 * about as much time as the parsing (validation reads this way). `unsplit`
 * leaves a quote-free line as a span of the chunk ({@link CsvRecord}).
 */
export async function* readCsvChunks(
  path: string,
  limits: Readonly<CsvLimits> = DEFAULT_CSV_LIMITS,
  unsplit = false,
): AsyncGenerator<CsvRecordSource> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const unreadable = (error: unknown) =>
    new ConfigurationError(`cannot read the CSV (${errnoCode(error) ?? 'unreadable'})`, path);
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (error) {
    throw unreadable(error);
  }
  const parser = new CsvParser(path, limits, unsplit);
  const chunks = (stream as AsyncIterable<string>)[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await chunks.next();
      } catch (error) {
        // A folder opens but cannot be read (EISDIR); so can a file that goes away.
        throw unreadable(error);
      }
      if (next.done) break;
      // feed throws if the consumer left records of the last chunk unread.
      parser.feed(next.value);
      yield parser;
    }
    const last = parser.end();
    yield { next: () => last.shift() };
  } finally {
    // A consumer that stops early (a bad header, a record too long) closes the file.
    stream.destroy();
  }
}

/**
 * Maps a header to the contract's columns: every contract column must be
 * present exactly once; extra columns are an error, so a renamed column
 * is caught rather than silently ignored.
 */
export function mapHeader(header: string[], columns: string[], where: string): number[] {
  // Maps and sets: linear in the header's length, however many columns it has.
  const wanted = new Set(columns);
  const position = new Map<string, number>();
  const repeated = new Set<string>();
  const extra: string[] = [];
  header.forEach((raw, i) => {
    const name = raw.trim();
    if (position.has(name)) repeated.add(name);
    else {
      position.set(name, i);
      if (!wanted.has(name)) extra.push(name);
    }
  });
  const missing = columns.filter((c) => !position.has(c));
  const problems = [
    missing.length > 0 ? `missing column(s) ${listSome(missing)}` : '',
    extra.length > 0 ? `unexpected column(s) ${listSome(extra)}` : '',
    repeated.size > 0 ? `repeated column(s) ${listSome([...repeated])}` : '',
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new ConfigurationError(
      `header does not match the data contract: ${problems.join('; ')}`,
      { file: where, line: 1 },
    );
  }
  return columns.map((c) => position.get(c)!);
}
