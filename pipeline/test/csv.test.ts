import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/data/csv.ts';
import { tempDir } from './helpers.ts';

async function records(text: string) {
  const file = join(await tempDir('csv-'), 'x.csv');
  await writeFile(file, text);
  const out = [];
  for await (const r of readCsv(file)) out.push(r);
  return out;
}

describe('readCsv', () => {
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
});
