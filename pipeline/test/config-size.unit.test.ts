import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../src/contract/contract.ts';
import { readDvcConfig } from '../src/dvc/config.ts';
import { readDvcFile } from '../src/dvc/dvcfile.ts';
import { loadParams } from '../src/params/params.ts';
import { readDvcYaml } from '../src/runner/dvcyaml.ts';
import { ConfigurationError } from '@housing/core/errors';
import { ROOT, tempDir } from './helpers.ts';

const MiB = 1024 * 1024;

/** The repository's file, padded past `bytes` with what its format ignores. */
async function padded(name: string, pad: string, bytes: number): Promise<string> {
  const dir = await tempDir('config-size-');
  const file = join(dir, name.split('/').pop()!);
  const text = await readFile(join(ROOT, name), 'utf8');
  await writeFile(file, text + pad.repeat(Math.ceil(bytes / pad.length)));
  return file;
}

async function failure(read: () => Promise<unknown>): Promise<Error> {
  try {
    await read();
  } catch (error) {
    return error as Error;
  }
  throw new Error('read the whole file');
}

describe('configuration files are read up to a size, not whole', () => {
  // A 12 MB params.yaml of one long list took 21 s and 2 GB of memory to
  // parse (100 MB would exhaust the heap): these files are a few KiB.
  const comment = `# ${'x'.repeat(77)}\n`;
  for (const [name, read, pad, limit] of [
    ['params.yaml', loadParams, comment, MiB],
    ['dvc.yaml', readDvcYaml, comment, MiB],
    ['data.dvc', readDvcFile, comment, MiB],
    ['pipeline/contract/housing.contract.json', loadContract, ' ', 16 * MiB],
  ] as const) {
    it(`${name} past ${limit / MiB} MiB is refused, naming it`, async () => {
      const file = await padded(name, pad, limit + 1);
      const error = await failure(() => read(file));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain(file);
      expect(error.message).toContain(`more than ${limit.toLocaleString('en-US')} bytes`);
    });
  }

  it('.dvc/config and .dvc/config.local past 1 MiB are refused, naming each', async () => {
    for (const name of ['config', 'config.local']) {
      const dvcDir = join(await tempDir('config-size-'), '.dvc');
      await mkdir(dvcDir);
      await cp(join(ROOT, '.dvc/config'), join(dvcDir, 'config'));
      await writeFile(join(dvcDir, name), `# ${'x'.repeat(77)}\n`.repeat(MiB / 80 + 1), {
        flag: 'a',
      });
      const error = await failure(() => readDvcConfig(dvcDir));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain(join(dvcDir, name));
      expect(error.message).toContain('more than 1,048,576 bytes');
    }
  });

  it('the repository files are read as before', async () => {
    expect((await loadParams(join(ROOT, 'params.yaml'))).seed).toBeGreaterThanOrEqual(0);
    expect((await readDvcYaml(join(ROOT, 'dvc.yaml'))).length).toBe(3);
    expect((await readDvcFile(join(ROOT, 'data.dvc'))).path).toBe('data');
  });
});
