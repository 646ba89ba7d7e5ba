import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapHeader, readCsv, readCsvChunks, type CsvLimits } from '../src/data/csv.ts';
import { ConfigurationError, MAX_ERROR_MESSAGE_CHARS } from '@housing/core/errors';
import { HOUSING_CSV, tempDir } from './helpers.ts';

async function records(text: string, limits?: CsvLimits) {
  const file = join(await tempDir('csv-'), 'x.csv');
  await writeFile(file, text);
  const out = [];
  for await (const r of readCsv(file, limits)) out.push(r);
  return out;
}

/** The error a read ends with, or a failure when it ends without one. */
async function readError(text: string, limits?: CsvLimits): Promise<Error> {
  try {
    await records(text, limits);
  } catch (error) {
    return error as Error;
  }
  throw new Error('the read ended without an error');
}

/** The housing data's header and first `n` rows, one per line. */
async function housingLines(n: number): Promise<string[]> {
  return (await readFile(HOUSING_CSV, 'utf8')).split('\n').slice(0, n + 1);
}

describe('readCsv', () => {
  it('readCsvChunks gives the same records a chunk at a time, and refuses a chunk read half', async () => {
    // Rows long enough to span several 1 MiB chunks, with quoted line breaks across them.
    const row = (i: number) => `${i},"two\nlines ${'x'.repeat(i % 300)}",${i * 2}`;
    const text = `a,b,c\n${Array.from({ length: 30_000 }, (_, i) => row(i)).join('\r\n')}`;
    const file = join(await tempDir('csv-'), 'chunks.csv');
    await writeFile(file, text);
    const chunked = [];
    let chunks = 0;
    for await (const source of readCsvChunks(file)) {
      chunks++;
      for (let r = source.next(); r; r = source.next()) chunked.push(r);
    }
    expect(chunks).toBeGreaterThan(3);
    expect(chunked).toEqual(await records(text));
    expect(chunked).toHaveLength(30_001);
    const partial = async () => {
      for await (const source of readCsvChunks(file)) source.next();
    };
    await expect(partial()).rejects.toThrow('CsvParser.feed before the last chunk was read');
  });

  it('parses quotes, doubled quotes, CRLF and a newline inside quotes, with record start lines', async () => {
    expect(await records('a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",2\n3,4')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['multi\nline', '2'] },
      { line: 5, fields: ['3', '4'] },
    ]);
  });

  it('names the line of an unterminated quote', async () => {
    await expect(records('a,b\n"open,1\n')).rejects.toThrow(/x\.csv:2: unterminated quoted field/);
  });

  it('says which file it cannot read', async () => {
    await expect(records.call(null, '').then(() => readCsv('/no/such.csv').next())).rejects.toThrow(
      '/no/such.csv: cannot read the CSV (ENOENT)',
    );
  });

  it('reads CR-only line endings as line breaks, with their line numbers', async () => {
    expect(await records('a,b\r1,2\r\r3,4\r')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 4, fields: ['3', '4'] },
    ]);
  });

  it('keeps a quote inside an unquoted field as text, so it cannot swallow the next lines', async () => {
    expect(await records('a,b\n1.5",x\n2,y"z"\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1.5"', 'x'] },
      { line: 3, fields: ['2', 'y"z"'] },
    ]);
  });

  it('keeps NUL bytes and reads a last record without a line break', async () => {
    expect(await records('a,b\n\0,\0\0\n1,2')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['\0', '\0\0'] },
      { line: 3, fields: ['1', '2'] },
    ]);
  });

  it('ends a stray quote on line 11 with a record-length error naming line 11', async () => {
    const lines = await housingLines(400);
    lines[10] = lines[10]!.replace(',', ',"');
    const error = await readError(lines.join('\n'), {
      maxRecordChars: 4096,
      maxHeaderChars: 1024,
    });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/x\.csv:11: .*longer than 4,096 characters/);
    expect(error.message).toMatch(/quote/);
  });

  it('bounds a record by default: a line of 1.5 MiB without a break fails at its line', async () => {
    const error = await readError(`a,b\n1,2\n${'9'.repeat(1.5 * 1024 * 1024)}`);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/x\.csv:3: .*longer than 1,048,576 characters/);
    expect(error.message.length).toBeLessThan(300);
  });

  it('bounds the header by default: a 100 KiB header fails at line 1 with a short message', async () => {
    const header = Array.from({ length: 10_000 }, (_, i) => `col${i}`).join(',');
    const error = await readError(`${header}\n1,2\n`);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/x\.csv:1: .*header .*longer than 65,536 characters/);
    expect(error.message.length).toBeLessThan(300);
  });

  it.runIf(existsSync('/dev/zero'))(
    'ends /dev/zero (NULs, no line break) with the header-length error',
    async () => {
      const read = async () => {
        for await (const record of readCsv('/dev/zero')) void record;
      };
      await expect(read()).rejects.toThrow(/\/dev\/zero:1: .*longer than 65,536 characters/);
    },
    20_000,
  );
});

describe('mapHeader', () => {
  const columns = ['a', 'b', 'c'];

  it('maps columns in any order', () => {
    expect(mapHeader([' c', 'a ', 'b'], columns, 'f.csv')).toEqual([1, 2, 0]);
  });

  it('names missing, unexpected and repeated columns', () => {
    expect(() => mapHeader(['a', 'a', 'x'], columns, 'f.csv')).toThrow(
      'f.csv:1: header does not match the data contract: missing column(s) b, c; unexpected column(s) x; repeated column(s) a',
    );
  });

  it('caps the message whatever the header: 80,000 columns, repeated or unexpected', () => {
    const repeated = [...columns, ...Array.from({ length: 80_000 }, () => 'a')];
    const unexpected = [...columns, ...Array.from({ length: 80_000 }, (_, i) => `extra_${i}`)];
    for (const header of [repeated, unexpected]) {
      let message = '';
      try {
        mapHeader(header, columns, 'f.csv');
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^f\.csv:1: header does not match the data contract/);
      expect(message.length).toBeLessThan(1000);
    }
  });

  it('truncates a huge column name in the message, with a marker', () => {
    let message = '';
    try {
      mapHeader([...columns, 'z'.repeat(60_000)], columns, 'f.csv');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/unexpected column\(s\) z+… \(\+[\d,]+ characters\)/);
    expect(message.length).toBeLessThan(1000);
  });
});

describe('ConfigurationError', () => {
  it('caps its message, with a marker saying how much was cut', () => {
    const error = new ConfigurationError(`bad value ${'x'.repeat(1_000_000)}`, 'f.csv:2');
    expect(error.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS + 40);
    expect(error.message).toMatch(/^f\.csv:2: bad value x+… \(\+[\d,]+ characters\)$/);
  });
});
