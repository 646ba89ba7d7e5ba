import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './temp-dir.ts';
import { EnvReader } from '@housing/core/env';
import { ConfigurationError } from '@housing/core/errors';

const TOKEN = 'abcdefghijklmnop-0123';

describe('EnvReader', () => {
  const tempDir = useTempDir('core-env-');

  it('reads integers as decimal digits within their range, in either wording', () => {
    const read = new EnvReader({ A: ' 42 ', B: '0x10', C: '1e3', D: '99', E: '' });
    expect(read.int('A', { fallback: 1, min: 0, max: 50 })).toBe(42);
    expect(read.int('B', { fallback: 1, min: 0, max: 50 })).toBe(1);
    expect(read.int('C', { fallback: 2, min: 0, max: 5000, wording: 'named' })).toBe(2);
    expect(read.int('D', { fallback: 3, min: 0, max: 50 })).toBe(3);
    expect(read.int('E', { fallback: 4, min: 0, max: 50 })).toBe(4); // empty is unset
    expect(read.problems).toEqual([
      'B="0x10": expected an integer from 0 to 50',
      "C: must be a whole number from 0 to 5000, got '1e3'",
      'D="99": expected an integer from 0 to 50',
    ]);
  });

  it('reads seconds as milliseconds, switches and choices, naming a bad value', () => {
    const read = new EnvReader({ S: '60', ON: 'off', BAD: 'yes', LEVEL: 'loud' });
    expect(read.secondsAsMs('S', { fallback: 1, min: 0, max: 3600 })).toBe(60_000);
    expect(read.onOff('ON', true)).toBe(false);
    expect(read.onOff('BAD', true)).toBe(true);
    expect(read.onOff('UNSET', true)).toBe(true);
    expect(read.oneOf('LEVEL', ['info', 'warn', 'error'], 'info')).toBe('info');
    expect(read.problems).toEqual([
      'BAD="yes": expected on or off',
      'LEVEL="loud": expected one of info, warn, error',
    ]);
  });

  it('takes a base URL only as plain http(s), never echoing it', () => {
    const fallback = 'https://api.example.com';
    const read = new EnvReader({
      OK: 'https://ghe.example.com/api/v3/',
      CRED: 'https://user:secret@example.com',
      FTP: 'ftp://example.com',
      REL: '/api',
    });
    expect(read.baseUrl('OK', fallback)).toBe('https://ghe.example.com/api/v3');
    expect(read.baseUrl('UNSET', fallback)).toBe(fallback);
    for (const name of ['CRED', 'FTP', 'REL']) expect(read.baseUrl(name, fallback)).toBe(fallback);
    expect(read.problems).toEqual([
      `CRED: must not contain credentials (e.g. ${fallback})`,
      `FTP: must be http or https, got 'ftp:' (e.g. ${fallback})`,
      `REL: not an absolute URL (e.g. ${fallback})`,
    ]);
    expect(read.problems.join('\n')).not.toContain('secret');
  });

  it('reads a secret from VAR or VAR_FILE, bounded, trimmed, and never quoted', async () => {
    const file = join(tempDir(), 'token');
    await writeFile(file, `${TOKEN}\n`);
    const big = join(tempDir(), 'big');
    await writeFile(big, 'a'.repeat(70_000));
    const read = new EnvReader({
      FROM_FILE_FILE: file,
      PLAIN: TOKEN,
      BIG_FILE: big,
      MISSING_FILE: join(tempDir(), 'nope'),
      SHORT: 'SECRET',
      SPACED: 'SECRET with spaces inside',
    });
    const spec = { required: true, file: true, minLength: { chars: 16 } };
    expect(read.secret('FROM_FILE', spec)).toBe(TOKEN);
    expect(read.secret('PLAIN', spec)).toBe(TOKEN);
    expect(read.secret('BIG', spec)).toBe('');
    expect(read.secret('MISSING', spec)).toBe('');
    expect(read.secret('ABSENT', spec)).toBe('');
    expect(read.secret('OPTIONAL', { required: false, file: false })).toBe('');
    read.secret('SHORT', { ...spec, minLength: { chars: 16, hint: '(or unset)' } });
    read.secret('SPACED', spec);
    expect(read.problems).toEqual([
      `BIG_FILE: ${big} is longer than 65,536 bytes, more than a token`,
      `MISSING_FILE: cannot read ${join(tempDir(), 'nope')} (ENOENT)`,
      'ABSENT (or ABSENT_FILE) is required',
      'SHORT: must be at least 16 characters (or unset)',
      expect.stringMatching(/^SPACED: must be visible ASCII/),
    ]);
    expect(read.problems.join('\n')).not.toContain('SECRET');
  });

  it('takes exactly one of VAR and VAR_FILE, refuses an empty file even for an optional secret, and names the file of a bad token', async () => {
    const file = join(tempDir(), 'exactly-one');
    await writeFile(file, TOKEN);
    const empty = join(tempDir(), 'empty-secret');
    await writeFile(empty, '\n  \n');
    const short = join(tempDir(), 'short-secret');
    await writeFile(short, 'SECRET');
    const read = new EnvReader({
      BOTH: TOKEN,
      BOTH_FILE: file,
      EMPTY_FILE: empty,
      SHORT_FILE: short,
      // An empty variable is unset: VAR= beside VAR_FILE is not two values.
      BLANK: '',
      BLANK_FILE: file,
    });
    const optional = { required: false, file: true, minLength: { chars: 16 } };
    expect(read.secret('BOTH', optional)).toBe('');
    expect(read.secret('EMPTY', optional)).toBe('');
    read.secret('SHORT', optional);
    expect(read.secret('BLANK', optional)).toBe(TOKEN);
    expect(read.problems).toEqual([
      'BOTH and BOTH_FILE are both set: set only one',
      `EMPTY_FILE: ${empty} is empty`,
      `SHORT_FILE (${short}): must be at least 16 characters`,
    ]);
    expect(read.problems.join('\n')).not.toContain('SECRET');
    expect(read.problems.join('\n')).not.toContain(TOKEN);
  });

  it('throws every problem at once as a ConfigurationError, or nothing', () => {
    const good = new EnvReader({ PORT: '80' });
    good.int('PORT', { fallback: 1, min: 0, max: 65535 });
    expect(() => good.finish()).not.toThrow();
    const bad = new EnvReader({ PORT: 'x', LEVEL: 'y' });
    bad.int('PORT', { fallback: 1, min: 0, max: 65535 });
    bad.oneOf('LEVEL', ['a', 'b', 'c'], 'a');
    expect(() => bad.finish('environment')).toThrow(ConfigurationError);
    expect(() => bad.finish('environment')).toThrow(
      'environment: invalid configuration:\n  PORT="x": expected an integer from 0 to 65535\n  LEVEL="y": expected one of a, b, c',
    );
  });
});
