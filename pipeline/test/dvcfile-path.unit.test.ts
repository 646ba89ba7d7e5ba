import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDvcFile } from '../src/dvc/dvcfile.ts';
import { pullData } from '../src/dvc/pull.ts';
import { ConfigurationError } from '@housing/core/errors';
import { silentLogger } from '@housing/core/logger';
import { REMOTE, tempDir } from './helpers.ts';

const dvcText = (path: string) =>
  `outs:\n- md5: 75ab717b82da4be74ecd7573c52aeef2.dir\n  size: 1423529\n  nfiles: 1\n  hash: md5\n  path: ${path}\n`;

describe('data.dvc: the tracked path stays inside the folder of the .dvc file', () => {
  // A pull replaces the tracked path whole (a rename over it), so a path
  // outside the repository, or the repository itself, must never be accepted.
  for (const path of [
    '..',
    '../victim',
    'data/../../victim',
    '/tmp/victim',
    '.',
    'data/..',
    './',
  ]) {
    it(`refuses path '${path}' naming data.dvc:line`, () => {
      let caught: unknown;
      try {
        parseDvcFile(dvcText(JSON.stringify(path)), 'data.dvc');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigurationError);
      expect((caught as Error).message).toMatch(/^data\.dvc:6: outs\[0\]\.path .*inside/);
    });
  }

  it('still accepts data, ./data and data/sub', () => {
    for (const path of ['data', './data', 'data/sub', 'data/'])
      expect(parseDvcFile(dvcText(path), 'data.dvc').path).toBe(path);
  });

  it('a pull with path ../victim leaves the folder above the repository alone', async () => {
    const parent = await tempDir('pull-escape-');
    const repo = join(parent, 'repo');
    await mkdir(join(repo, '.dvc'), { recursive: true });
    await writeFile(
      join(repo, '.dvc/config'),
      `[core]\n    remote = store\n['remote "store"']\n    url = ${REMOTE}\n`,
    );
    await writeFile(join(repo, 'data.dvc'), dvcText('../victim'));
    await mkdir(join(parent, 'victim'));
    await writeFile(join(parent, 'victim', 'keep.txt'), 'precious');
    await expect(pullData({ root: repo, logger: silentLogger })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    expect(await readdir(join(parent, 'victim'))).toEqual(['keep.txt']);
    expect(await readFile(join(parent, 'victim', 'keep.txt'), 'utf8')).toBe('precious');
  });
});

describe('data.dvc: size and nfiles are whole numbers of bytes and files', () => {
  // size bounds every object a pull reads: '-5' made the pull say a remote
  // "holds more than -5 bytes", and a quoted '1e12' was ignored (no bound).
  for (const [key, value] of [
    ['size', '-5'],
    ['size', '1.5'],
    ['size', "'1e12'"],
    ['nfiles', '-1'],
    ['nfiles', 'many'],
  ] as const) {
    it(`refuses ${key}: ${value} at its line`, () => {
      const text = dvcText('data').replace(new RegExp(`  ${key}: .*\n`), `  ${key}: ${value}\n`);
      const line = text.split('\n').findIndex((l) => l.startsWith(`  ${key}:`)) + 1;
      expect(() => parseDvcFile(text, 'data.dvc')).toThrow(
        new RegExp(`^data\\.dvc:${line}: outs\\[0\\]\\.${key} must be a whole number`),
      );
    });
  }
});
