import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@housing/core/errors';
import { silentLogger, type Logger } from '@housing/core/logger';
import { readDvcLock } from '../src/runner/dvc-lock.ts';
import { orderStages, parseDvcYaml } from '../src/runner/dvcyaml.ts';
import { runStages } from '../src/runner/run-stages.ts';
import { tempDir } from './helpers.ts';

/**
 * dvc.lock as DVC 3 writes it (schema 2.0, `hash: md5`, sizes, `nfiles` for
 * folders, params by dotted name under their file), and skipping a stage whose
 * record still holds, as `dvc repro` does. No real DVC runs here: the expected
 * text follows DVC's documentation and its example projects' lock files, and
 * the hashes are computed independently below.
 */
const DVC_YAML = [
  'stages:',
  '  prepare:',
  '    cmd: mkdir -p out && cp in.txt out/a.txt && echo run >> runs.log',
  '    deps: [in.txt, dvc.yaml]',
  '    params: [prepare.seed, prepare.other]',
  '    outs: [out]',
  '  count:',
  '    cmd: wc -c < out/a.txt > count.txt && echo run >> runs.log',
  '    deps: [out]',
  '    params: [count]',
  '    metrics:',
  '      - count.txt:',
  '          cache: false',
  '',
].join('\n');

const md5 = (bytes: string) => createHash('md5').update(bytes).digest('hex');

async function makeRepo(): Promise<string> {
  const repo = await tempDir('dvc-lock-');
  await writeFile(join(repo, 'in.txt'), 'hello\n');
  await writeFile(join(repo, 'dvc.yaml'), DVC_YAML);
  await writeFile(
    join(repo, 'params.yaml'),
    'prepare:\n  seed: 42\n  other: 1\ncount:\n  unit: bytes\n',
  );
  return repo;
}

/** Runs the stages with a lock file; returns which stages ran. */
async function repro(repo: string, force = false): Promise<string[]> {
  const ran: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    info(message) {
      const m = /^stage (\w+)$/.exec(message);
      if (m) ran.push(m[1]!);
    },
  };
  const stages = orderStages(parseDvcYaml(DVC_YAML, 'dvc.yaml'));
  await runStages(stages, repo, logger, { lockFile: join(repo, 'dvc.lock'), force });
  return ran;
}

describe('dvc.lock', () => {
  it("is written in DVC 3's format, with hashes DVC would compute", async () => {
    const repo = await makeRepo();
    expect(await repro(repo)).toEqual(['prepare', 'count']);
    const fileMd5 = md5('hello\n');
    // A folder's md5 is its manifest's, as Python's json.dumps(sort_keys=True) writes it.
    const dirMd5 = `${md5(`[{"md5": "${fileMd5}", "relpath": "a.txt"}]`)}.dir`;
    const count = `${'hello\n'.length}\n`;
    expect(await readFile(join(repo, 'dvc.lock'), 'utf8')).toBe(
      [
        "schema: '2.0'",
        'stages:',
        '  prepare:',
        '    cmd: mkdir -p out && cp in.txt out/a.txt && echo run >> runs.log',
        // Sorted by path and by name, as DVC's serializer sorts them.
        '    deps:',
        '    - path: dvc.yaml',
        '      hash: md5',
        `      md5: ${md5(DVC_YAML)}`,
        `      size: ${DVC_YAML.length}`,
        '    - path: in.txt',
        '      hash: md5',
        `      md5: ${fileMd5}`,
        '      size: 6',
        '    params:',
        '      params.yaml:',
        '        prepare.other: 1',
        '        prepare.seed: 42',
        '    outs:',
        '    - path: out',
        '      hash: md5',
        `      md5: ${dirMd5}`,
        '      size: 6',
        '      nfiles: 1',
        '  count:',
        '    cmd: wc -c < out/a.txt > count.txt && echo run >> runs.log',
        '    deps:',
        '    - path: out',
        '      hash: md5',
        `      md5: ${dirMd5}`,
        '      size: 6',
        '      nfiles: 1',
        '    params:',
        '      params.yaml:',
        '        count:',
        '          unit: bytes',
        '    outs:',
        '    - path: count.txt',
        '      hash: md5',
        `      md5: ${md5(count)}`,
        `      size: ${count.length}`,
        '',
      ].join('\n'),
    );
  });

  it('skips stages whose record holds, and reruns from the first change', async () => {
    const repo = await makeRepo();
    await repro(repo);
    expect(await repro(repo)).toEqual([]);
    // A param no stage tracks changes nothing.
    await writeFile(
      join(repo, 'params.yaml'),
      'prepare:\n  seed: 42\n  other: 1\n  unused: 3\ncount:\n  unit: bytes\n',
    );
    expect(await repro(repo)).toEqual([]);
    // A tracked param reruns its stage; the output is the same, so the next stage holds.
    await writeFile(
      join(repo, 'params.yaml'),
      'prepare:\n  seed: 7\n  other: 1\ncount:\n  unit: bytes\n',
    );
    expect(await repro(repo)).toEqual(['prepare']);
    // A changed dependency reruns its stage, and the changed output the next one.
    await writeFile(join(repo, 'in.txt'), 'hello, world\n');
    expect(await repro(repo)).toEqual(['prepare', 'count']);
    // A deleted or edited output reruns the stage that writes it.
    await writeFile(join(repo, 'count.txt'), 'edited\n');
    expect(await repro(repo)).toEqual(['count']);
    expect(await repro(repo, true)).toEqual(['prepare', 'count']);
    expect((await readFile(join(repo, 'runs.log'), 'utf8')).split('\n').length - 1).toBe(8);
    expect((await readDvcLock(join(repo, 'dvc.lock'))).stages.prepare?.params).toEqual({
      'params.yaml': { 'prepare.other': 1, 'prepare.seed': 7 },
    });
  });

  it('names the line of a corrupt lock and says how to recover, running nothing', async () => {
    const repo = await makeRepo();
    await writeFile(join(repo, 'dvc.lock'), "schema: '2.0'\nstages:\n  prepare: [unclosed\n");
    const error = await repro(repo).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems[0]).toMatchObject({
      file: join(repo, 'dvc.lock'),
      line: expect.any(Number) as number,
    });
    expect((error as Error).message).toMatch(/delete it to run every stage again/);
    await expect(readFile(join(repo, 'runs.log'))).rejects.toThrow(/ENOENT/);
  });

  it('fails when a stage that succeeded did not write its declared output', async () => {
    const repo = await makeRepo();
    await mkdir(join(repo, 'sub'));
    const stages = orderStages(
      parseDvcYaml('stages:\n  lazy:\n    cmd: "true"\n    outs: [never.txt]\n', 'dvc.yaml'),
    );
    await expect(
      runStages(stages, repo, silentLogger, { lockFile: join(repo, 'dvc.lock') }),
    ).rejects.toThrow(/stage 'lazy': output 'never.txt' does not exist/);
  });

  it('runs an always_changed stage every time, as dvc repro does, keeping the same record', async () => {
    const repo = await makeRepo();
    const yaml = [
      'stages:',
      '  stamp:',
      '    cmd: date +%N > stamp.txt && cp in.txt copy.txt && echo run >> runs.log',
      '    deps: [in.txt]',
      '    outs: [copy.txt]',
      '    always_changed: true',
      '',
    ].join('\n');
    const stages = parseDvcYaml(yaml, 'dvc.yaml');
    expect(stages[0]!.alwaysChanged).toBe(true);
    const lockFile = join(repo, 'dvc.lock');
    await runStages(stages, repo, silentLogger, { lockFile });
    const first = await readFile(lockFile, 'utf8');
    await runStages(stages, repo, silentLogger, { lockFile });
    expect(await readFile(join(repo, 'runs.log'), 'utf8')).toBe('run\nrun\n');
    // What it writes outside its declared outputs (stamp.txt) is no part of the record.
    expect(await readFile(lockFile, 'utf8')).toBe(first);
    expect((await readDvcLock(lockFile)).stages.stamp?.outs?.map((o) => o.path)).toEqual([
      'copy.txt',
    ]);
  });
});
