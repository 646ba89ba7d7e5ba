import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './temp-dir.ts';
import { ConfigurationError } from '@housing/core/errors';
import { readOptionalTextFile, readTextFile } from '@housing/core/read-text';
import { parseYamlText, readYamlFile } from '@housing/core/yaml-file';

describe('parseYamlText', () => {
  it('locates nodes by line', () => {
    const { doc, lineOf, at } = parseYamlText('a: 1\nb:\n  c: 2\n', 'x.yml');
    expect(doc.toJS()).toEqual({ a: 1, b: { c: 2 } });
    expect(lineOf(doc.getIn(['b', 'c'], true))).toBe(3);
    expect(at(doc.getIn(['b'], true))).toEqual({ file: 'x.yml', line: 3 });
    expect(at(undefined)).toEqual({ file: 'x.yml' });
  });

  it('turns a syntax error into a ConfigurationError at file:line, with the column as a field', () => {
    let error: unknown;
    try {
      parseYamlText('a: 1\nb: [1, 2\nc: 3\n', 'broken.yml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const { message, problems } = error as ConfigurationError;
    expect(message).toMatch(/^broken\.yml:\d+: invalid YAML: /);
    expect(message).not.toContain('\n');
    expect(problems[0]).toMatchObject({ file: 'broken.yml', line: expect.any(Number) as number });
    expect(typeof problems[0]!.column).toBe('number');
  });
});

describe('readTextFile and readYamlFile', () => {
  const tempDir = useTempDir('core-yaml-');

  it('say why a file cannot be read, what it is and who writes it', async () => {
    const missing = join(tempDir(), 'missing.json');
    await expect(readTextFile(missing, { writtenBy: 'the train stage' })).rejects.toThrow(
      `${missing}: cannot read (ENOENT); the train stage writes it`,
    );
    await expect(
      readTextFile(missing, { what: 'DVC config', hint: 'it must declare the default remote' }),
    ).rejects.toThrow(
      `${missing}: cannot read the DVC config (ENOENT); it must declare the default remote`,
    );
    await expect(readTextFile(tempDir())).rejects.toThrow(/cannot read \(EISDIR\)/);
    // An optional file may be absent; any other failure is still an error.
    await expect(readOptionalTextFile(missing)).resolves.toBeUndefined();
    await expect(readOptionalTextFile(tempDir())).rejects.toThrow(/cannot read \(EISDIR\)/);
  });

  it('refuse a file larger than the limit, naming it', async () => {
    const big = join(tempDir(), 'big.yml');
    await writeFile(big, 'x'.repeat(2000));
    await expect(readTextFile(big, { maxBytes: 1000 })).rejects.toThrow(
      /big\.yml: holds more than 1,000 bytes/,
    );
  });

  it('parse a YAML file, naming it relative to the working directory', async () => {
    const good = join(tempDir(), 'good.yml');
    await writeFile(good, 'groups: []\n');
    await expect(readYamlFile(good)).resolves.toEqual({ groups: [] });
    const bad = join(tempDir(), 'bad.yml');
    await writeFile(bad, 'a: [\n');
    await expect(readYamlFile(bad)).rejects.toThrow(/bad\.yml:\d+: invalid YAML/);
  });
});
