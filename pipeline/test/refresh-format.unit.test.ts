import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirManifest } from '@housing/test-support/dvc-remote';
import { ROOT } from '@housing/test-support/root';
import { manifestText } from '../src/dvc/manifest.ts';
import { parseDvcFile } from '../src/dvc/dvcfile.ts';
import { csvField, csvLines } from '../src/refresh/csv-rows.ts';
import { dvcFileText } from '../src/refresh/data-version.ts';
import { advanceRecord, exportSince, LOOKBACK_MS } from '../src/refresh/record.ts';

/** The formats data:refresh writes: data.dvc, the manifest, CSV rows and the export record. */

describe('dvcFileText', () => {
  const committed = readFileSync(join(ROOT, 'data.dvc'), 'utf8');
  const out = parseDvcFile(committed, 'data.dvc');

  it('writes the committed data.dvc back byte for byte when nothing changed', () => {
    expect(
      dvcFileText(committed, { md5: out.md5, size: out.size!, nfiles: out.nfiles! }, 'data.dvc'),
    ).toBe(committed);
  });

  it('changes only md5, size and nfiles, in dvc add’s layout', () => {
    expect(
      dvcFileText(
        committed,
        { md5: 'a9f87bd86b2ab9c553fd9554763fa322.dir', size: 12, nfiles: 2 },
        'data.dvc',
      ),
    ).toBe(
      'outs:\n- md5: a9f87bd86b2ab9c553fd9554763fa322.dir\n  size: 12\n  nfiles: 2\n  hash: md5\n  path: data\n',
    );
  });
});

describe('manifestText', () => {
  it('is the manifest the tests’ DVC remote writes, whatever the entries’ order', () => {
    const hashes = {
      'housing.csv': '926e9da0bad793e03c119a4f5809f65c',
      'exported-feedback.json': '0cc175b9c0f1b6a831c399e269772661',
      'sub/é.txt': '92eb5ffee6ae2fec3ad71c777531578f',
    };
    const entries = Object.entries(hashes).map(([relpath, md5]) => ({ relpath, md5 }));
    expect(manifestText(entries)).toBe(dirManifest(hashes));
    expect(manifestText([...entries].reverse())).toBe(dirManifest(hashes));
  });
});

describe('CSV rows', () => {
  it('quotes only what needs quoting, and writes null as an empty cell', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(-122.23)).toBe('-122.23');
    expect(csvField('<1H OCEAN')).toBe('<1H OCEAN');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvLines([{ b: 2, a: 'x' }], ['a', 'b'])).toBe('x,2\n');
  });
});

describe('the export record', () => {
  const at = (iso: string) => new Date(iso);

  it('starts from the beginning, then from the watermark less the lookback', () => {
    expect(exportSince({ watermark: null, ids: {} })).toBeUndefined();
    expect(exportSince({ watermark: '2026-11-05T00:00:00.000Z', ids: {} })?.getTime()).toBe(
      Date.parse('2026-11-05T00:00:00.000Z') - LOOKBACK_MS,
    );
  });

  it('moves the watermark to the newest feedback and keeps only the ids within the lookback', () => {
    const record = advanceRecord(
      { watermark: '2026-11-01T00:00:00.000Z', ids: { old: '2026-11-01T00:00:00.000Z' } },
      new Map([
        ['z', at('2026-11-05T00:00:00.000Z')],
        ['m', at('2026-11-04T12:00:00.000Z')],
        ['early', at('2026-11-03T00:00:00.000Z')],
      ]),
    );
    expect(record).toEqual({
      watermark: '2026-11-05T00:00:00.000Z',
      ids: { m: '2026-11-04T12:00:00.000Z', z: '2026-11-05T00:00:00.000Z' },
    });
    expect(Object.keys(record.ids)).toEqual(['m', 'z']);
  });
});
