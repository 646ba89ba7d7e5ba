import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvParser, MAX_CSV_LIMIT } from '../src/data/csv-parser.ts';
import type { ValidationReport } from '../src/validate/validate.ts';
import { HOUSING_CSV, ROOT, tempDir } from './helpers.ts';

/** Runs a pipeline CLI; a hang ends after `timeout` with status null. */
function cli(name: string, args: string[], timeout = 60_000) {
  return spawnSync(process.execPath, ['--import', 'tsx', `pipeline/src/cli/${name}.ts`, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
  });
}

async function housing(rows: number, edit: (lines: string[]) => void = () => {}) {
  const lines = (await readFile(HOUSING_CSV, 'utf8')).split('\n').slice(0, rows + 1);
  edit(lines);
  const file = join(await tempDir('csv-limits-'), 'data.csv');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe('CSV limits on the commands that read CSVs', () => {
  it('validate --max-record-chars: a longer record is an error naming file:line, not a stack', async () => {
    const file = await housing(50, (lines) => {
      lines[2] = `${lines[2]},${'9'.repeat(500)}`;
    });
    const run = cli('validate', ['--data', file, '--max-record-chars', '200']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `error: ${file}:3: the record starting on this line is longer than 200 characters`,
    );
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('train --max-header-chars and evaluate --max-record-chars are checked and used', async () => {
    const file = await housing(50);
    const train = cli('train', ['--data', file, '--max-header-chars', '20']);
    expect(train.status).toBe(2);
    expect(train.stderr).toContain(`${file}:1: the header starting on this line is longer than 20`);
    const evaluate = cli('evaluate', ['--test-data', file, '--max-record-chars', '0']);
    expect(evaluate.status).toBe(2);
    expect(evaluate.stderr).toContain('--max-record-chars must be a whole number of characters');
  });

  it('a limit above the longest string the engine holds is refused up front, naming the flag', async () => {
    // 600 MB on one line with --max-header-chars 1e9 ended in "internal error:
    // RangeError: Invalid string length" and a stack: no field can grow past
    // the engine's string limit, so no limit may be set beyond it.
    const file = await housing(5);
    for (const flag of ['--max-record-chars', '--max-header-chars']) {
      const run = cli('validate', ['--data', file, flag, String(MAX_CSV_LIMIT + 1)]);
      expect(run.status, flag).toBe(2);
      expect(run.stderr).toContain(`${flag} must be`);
      expect(run.stderr).toContain(`at most ${MAX_CSV_LIMIT.toLocaleString('en-US')}`);
      expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    const largest = cli('validate', ['--data', file, '--max-record-chars', String(MAX_CSV_LIMIT)]);
    expect(largest.stderr).not.toContain('--max-record-chars must be');
    expect(() => new CsvParser(file, { maxRecordChars: 2 ** 31, maxHeaderChars: 10 })).toThrow(
      /maxRecordChars .*at most/,
    );
  });

  it.runIf(existsSync('/dev/zero'))(
    'validate --data /dev/zero ends with the header-length error',
    () => {
      const run = cli('validate', ['--data', '/dev/zero'], 30_000);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(
        /^error: \/dev\/zero:1: the header .*longer than 65,536 characters/m,
      );
    },
  );

  it('validate quotes a huge bad field cut short, in the report and on the terminal', async () => {
    const file = await housing(50, (lines) => {
      const fields = lines[5]!.split(',');
      fields[3] = 'x'.repeat(500_000);
      lines[5] = fields.join(',');
    });
    const dir = await tempDir('csv-limits-');
    const run = cli('validate', ['--data', file, '--report', join(dir, 'report.json')]);
    expect(run.status).toBe(1);
    expect(run.stdout.length).toBeLessThan(5000);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as ValidationReport;
    expect(report.row_errors[0]).toMatchObject({ line: 6, column: 'total_rooms' });
    expect(String(report.row_errors[0]!.value).length).toBeLessThan(200);
    expect(String(report.row_errors[0]!.value)).toMatch(/^x+… \(\+[\d,]+ characters\)$/);
  });
});
