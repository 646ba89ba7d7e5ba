import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { csvFields, CsvParser, MAX_CSV_LIMIT, type CsvRecord } from '../src/data/csv-parser.ts';
import { HOUSING_CSV } from './helpers.ts';

const UNBOUNDED = {
  maxRecordChars: MAX_CSV_LIMIT,
  maxHeaderChars: MAX_CSV_LIMIT,
};

/** Feeds text in chunks of `size` characters; the records, or the error the parse ends with. */
function parse(text: string, size: number, limits = UNBOUNDED, unsplit = false) {
  const parser = new CsvParser('x.csv', limits, unsplit);
  const records: CsvRecord[] = [];
  let error: Error | undefined;
  try {
    for (let i = 0; i < text.length; i += size)
      records.push(...parser.push(text.slice(i, i + size)));
    records.push(...parser.end());
  } catch (e) {
    error = e as Error;
  }
  return { records, error, scanned: parser.scanned };
}

describe('CsvParser', () => {
  it('gives the same records whatever the chunk boundaries, even inside "" and CRLF', () => {
    const text = 'a,b\r\n"x, y","say ""hi"""\r\n"multi\r\nline",2\r\r\n3,"4"5\n"",\n';
    const whole = parse(text, text.length);
    expect(whole.error).toBeUndefined();
    expect(whole.records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['multi\nline', '2'] },
      { line: 6, fields: ['3', '45'] },
      { line: 7, fields: ['', ''] },
    ]);
    for (let size = 1; size < 12; size++) expect(parse(text, size).records).toEqual(whole.records);
  });

  it('skips one UTF-8 byte order mark at the start, so a quoted first field still opens quotes', () => {
    // Excel's "CSV UTF-8" starts with a BOM; with quoted headers the BOM made
    // the first quote text: the column was read as '\uFEFF"longitude"'.
    for (const size of [1, 2, 1000]) {
      const { records, error } = parse('\uFEFF"a","b"\n"1",2\n', size);
      expect(error, String(size)).toBeUndefined();
      expect(records.map((r) => r.fields)).toEqual([
        ['a', 'b'],
        ['1', '2'],
      ]);
      expect(records.map((r) => r.line)).toEqual([1, 2]);
    }
    // Only at the very start: elsewhere it is data.
    expect(parse('a\n\uFEFFb\n', 3).records.map((r) => r.fields)).toEqual([['a'], ['\uFEFFb']]);
  });

  it('counts CR, LF and CRLF inside quotes as one line each, across chunk boundaries', () => {
    const text = 'a\n"1\r2\n3\r\n4\r\r\n5"\n6\r"7\r\n"\r\n8';
    const expected = [
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['1\n2\n3\n4\n\n5'] },
      { line: 8, fields: ['6'] },
      { line: 9, fields: ['7\n'] },
      { line: 11, fields: ['8'] },
    ];
    for (let size = 1; size <= text.length; size++) {
      expect(parse(text, size).records, `chunks of ${size}`).toEqual(expected);
    }
  });

  it('touches each character a bounded number of times, whatever the input', async () => {
    const lines = (await readFile(HOUSING_CSV, 'utf8')).split('\n').slice(0, 2001);
    const clean = lines.join('\n');
    const strayQuote = lines.map((l, i) => (i === 10 ? l.replace(',', ',"') : l)).join('\n');
    const midFieldQuotes = lines.map((l) => l.replace(',', '",')).join('\n');
    const inputs = {
      clean,
      'stray quote on line 11': strayQuote,
      'quotes mid-field': midFieldQuotes,
      'CR-only': lines.join('\r'),
      CRLF: lines.join('\r\n'),
      'no line break': clean.replaceAll('\n', ';'),
      NULs: '\0'.repeat(clean.length),
      'all quotes': '"'.repeat(clean.length),
    };
    for (const [name, text] of Object.entries(inputs)) {
      for (const size of [1 << 16, 1 << 20]) {
        const quarter = parse(text.slice(0, text.length / 4), size);
        const full = parse(text, size);
        // A rescan of the pending record on each line or chunk makes this grow with the input.
        expect(full.scanned / text.length, name).toBeLessThan(8);
        expect(full.scanned, name).toBeLessThan(5 * quarter.scanned);
      }
    }
  });

  it('holds at most one record: it stops once a record passes the limit, naming its line', () => {
    const text = `a,b\n1,2\n"${'x'.repeat(10_000)}\n`.repeat(3);
    const { error, scanned } = parse(text, 1024, { maxRecordChars: 4096, maxHeaderChars: 64 });
    expect(error?.message).toMatch(/^x\.csv:3: .*longer than 4,096 characters/);
    expect(scanned).toBeLessThan(8 * (4096 + 1024));
  });

  it('unsplit: the same records (csvFields), scans and errors, with quote-free lines left as spans', async () => {
    const lines = (await readFile(HOUSING_CSV, 'utf8')).split('\n').slice(0, 300);
    const inputs = [
      'a,b\r\n"x, y","say ""hi"""\r\n"multi\r\nline",2\r\r\n3,"4"5\n"",\n',
      '\uFEFF"a","b"\n"1",2\n\uFEFFc,d',
      'a\n"1\r2\n3\r\n4\r\r\n5"\n6\r"7\r\n"\r\n8',
      lines.join('\n'),
      lines.join('\r'),
      lines.map((l, i) => (i === 10 ? l.replace(',', ',"') : l)).join('\r\n'),
      `a,b\n1,2\n"${'x'.repeat(10_000)}\n`.repeat(3),
      `${'y'.repeat(70)}\n${'1,'.repeat(3000)}\n`,
    ];
    const limits = { maxRecordChars: 4096, maxHeaderChars: 64 };
    let spans = 0;
    for (const text of inputs) {
      for (const size of [1, 7, 64, 1 << 20]) {
        for (const bounds of [UNBOUNDED, limits]) {
          const split = parse(text, size, bounds);
          const unsplit = parse(text, size, bounds, true);
          spans += unsplit.records.filter((r) => r.text !== undefined).length;
          expect(unsplit.records.map((r) => ({ line: r.line, fields: csvFields(r) }))).toEqual(
            split.records,
          );
          expect(unsplit.scanned).toBe(split.scanned);
          expect(unsplit.error?.message).toBe(split.error?.message);
        }
      }
    }
    expect(spans).toBeGreaterThan(500);
  });
});
