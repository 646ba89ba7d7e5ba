import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@housing/core/errors';
import { findCompose, type Probe } from '../deploy/src/find-compose.ts';

/** A runner's PATH: program -> what `... version --short` prints (undefined: not installed). */
function runner(installed: Record<string, { exitCode: number; stdout: string } | undefined>): {
  probe: Probe;
  calls: string[];
} {
  const calls: string[] = [];
  const probe: Probe = (program, args) => {
    calls.push([program, ...args].join(' '));
    const answer = installed[program];
    if (!answer) return Promise.reject(new Error(`Unable to locate executable file: ${program}`));
    return Promise.resolve(answer);
  };
  return { probe, calls };
}

describe('findCompose', () => {
  it('takes the docker CLI plugin first', async () => {
    const { probe, calls } = runner({
      docker: { exitCode: 0, stdout: '2.26.1\n' },
      'docker-compose': { exitCode: 0, stdout: '1.29.2\n' },
    });
    expect(await findCompose(probe)).toEqual({
      program: 'docker',
      prefix: ['compose'],
      version: '2.26.1',
    });
    expect(calls).toEqual(['docker compose version --short']);
  });

  it('falls back to a standalone docker-compose 2.x when docker has no compose plugin', async () => {
    const { probe } = runner({
      docker: { exitCode: 1, stdout: '' },
      'docker-compose': { exitCode: 0, stdout: 'v2.29.7\n' },
    });
    expect(await findCompose(probe)).toEqual({
      program: 'docker-compose',
      prefix: [],
      version: 'v2.29.7',
    });
  });

  it('refuses Compose v1 by name, saying what to install', async () => {
    const { probe } = runner({ 'docker-compose': { exitCode: 0, stdout: '1.29.2\n' } });
    const error = await findCompose(probe).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(
      /only docker-compose 1\.29\.2 \(Compose v1\) is on this runner's PATH.*install Compose v2: the docker-compose-plugin package/,
    );
  });

  it('says so when there is no Compose at all', async () => {
    await expect(findCompose(runner({}).probe)).rejects.toThrow(
      /no Docker Compose on this runner's PATH: install Compose v2/,
    );
  });
});
