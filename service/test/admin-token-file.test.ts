import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  post,
  removeDir,
  ROOT,
  runServiceCli,
  startService,
  trainModel,
} from '@housing/test-support/service';

/**
 * ADMIN_TOKEN_FILE, read by the real service process as the relay reads its
 * secrets (`@housing/core/env`): a Compose secret under /run/secrets keeps the
 * token out of the container's environment.
 */
const TOKEN = 'file-admin-SECRET-0123456789abcdef';

let modelDir: string;
let dir: string;

beforeAll(async () => {
  modelDir = await trainModel();
  dir = await mkdtemp(join(tmpdir(), 'service-admin-token-'));
}, 120_000);
afterAll(async () => {
  await removeDir(modelDir);
  await rm(dir, { recursive: true, force: true });
});

/** Runs the service to its end with `env` (ADMIN_TOKEN unset unless given), killed if it starts serving. */
const runService = (env: Record<string, string>) => runServiceCli(modelDir, env);

describe('the service reads its admin token from ADMIN_TOKEN_FILE', () => {
  it('serves /admin/reload with the token from the file, trimmed, and never logs it', async () => {
    const file = join(dir, 'admin_token');
    // As `docker compose` writes a secret from .env: the value, maybe a newline.
    await writeFile(file, `${TOKEN}\n`);
    const service = await startService(modelDir, { ADMIN_TOKEN: '', ADMIN_TOKEN_FILE: file });
    try {
      const reload = `${service.url}/admin/reload`;
      expect((await post(reload, {}, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
      expect((await post(reload, {}, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
      expect((await post(reload, {})).status).toBe(401);
      await service.logged('/admin/reload');
      expect(service.logs.join('\n')).not.toContain('SECRET');
    } finally {
      await service.stop();
    }
  }, 60_000);

  it('fails fast, exit 2, on a missing, empty or unreadable file, naming the variable and the path', async () => {
    const empty = join(dir, 'empty');
    await writeFile(empty, ' \n');
    const missing = join(dir, 'no-such-file');
    // A folder: open succeeds, read fails (EISDIR). Permissions would not do: root reads anything.
    for (const [file, why] of [
      [missing, `cannot read ${missing} \\(ENOENT\\)`],
      [empty, `${empty} is empty`],
      [dir, `cannot read ${dir} \\(EISDIR\\)`],
    ] as const) {
      const run = runService({ ADMIN_TOKEN_FILE: file });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(
        new RegExp(`^error: environment: invalid configuration:\\n {2}ADMIN_TOKEN_FILE: ${why}\\n`),
      );
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr + run.stdout).not.toContain('listening');
    }
  }, 60_000);

  it('takes exactly one of ADMIN_TOKEN and ADMIN_TOKEN_FILE, and checks a token from a file as one from the variable, echoing neither', async () => {
    const file = join(dir, 'both');
    await writeFile(file, TOKEN);
    const both = runService({ ADMIN_TOKEN: TOKEN, ADMIN_TOKEN_FILE: file });
    expect(both.status, both.stderr).toBe(2);
    expect(both.stderr).toContain('ADMIN_TOKEN and ADMIN_TOKEN_FILE are both set: set only one');
    expect(both.stderr).not.toContain('SECRET');

    const short = join(dir, 'short');
    await writeFile(short, 'SECRET-short');
    const tooShort = runService({ ADMIN_TOKEN_FILE: short });
    expect(tooShort.status, tooShort.stderr).toBe(2);
    expect(tooShort.stderr).toContain(
      `ADMIN_TOKEN_FILE (${short}): must be at least 16 characters (or unset to disable /admin/reload)`,
    );
    const spaced = join(dir, 'spaced');
    await writeFile(spaced, 'SECRET with a space 0123456789');
    const blank = runService({ ADMIN_TOKEN_FILE: spaced });
    expect(blank.status, blank.stderr).toBe(2);
    expect(blank.stderr).toContain(`ADMIN_TOKEN_FILE (${spaced}): must be visible ASCII`);
    for (const run of [tooShort, blank]) expect(run.stderr).not.toContain('SECRET');
  }, 60_000);

  it('lists ADMIN_TOKEN_FILE in --help', () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', 'service/src/main.ts', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}ADMIN_TOKEN_FILE +unset +a file holding it/m);
  }, 60_000);
});
