import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';

/** The configuration error parseConfig throws for `env`, or '' when it accepts it. */
function problemWith(env: Record<string, string>): string {
  try {
    parseConfig(env, undefined);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('ADMIN_TOKEN is a token a client can send', () => {
  const base = 'abcdefghijklmnop0123';

  it('refuses, at startup, a token no Authorization header can carry as it is', () => {
    // Node trims a header's surrounding blanks and reads its bytes as Latin-1, and a
    // header cannot hold a line break or NUL: such a token could never match, so
    // /admin/reload would answer 401 to everyone while looking enabled. A blank
    // inside is no bearer token either (RFC 6750's token68), as the relay holds.
    for (const token of [
      `${base} `,
      ` ${base}`,
      `${base}\n`,
      `abcdefgh ijklmnop`,
      `${base}\t`,
      `pässwörd-${base}`,
      `${base}\u0000`,
    ]) {
      const message = problemWith({ ADMIN_TOKEN: token });
      expect(message, JSON.stringify(token)).toMatch(/ADMIN_TOKEN: must be visible ASCII/);
      // The token itself is a secret: the message never echoes it.
      expect(message).not.toContain(base);
    }
  });

  it('accepts a token of visible ASCII characters of at least 16 of them', () => {
    expect(problemWith({ ADMIN_TOKEN: base })).toBe('');
    expect(problemWith({ ADMIN_TOKEN: '!#$%&*+-./:;<=>?@[]^_`{|}~0123456789' })).toBe('');
  });
});
