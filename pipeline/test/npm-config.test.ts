/**
 * A clean install prints no warning a user must learn to ignore, and never
 * runs a dependency's install script (onnxruntime-node's would download the
 * CUDA provider). npm 11 reads `allowScripts` from package.json; npm 10 (Node
 * 20's) does not, so `.npmrc` must stop install scripts on its own, with keys
 * npm knows.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';
import { shellEnv } from '@housing/test-support/process-tree';

/** Runs npm in the root as a user's shell would. */
function npm(args: string[]) {
  const result = spawnSync('npm', args, { cwd: ROOT, encoding: 'utf8', env: shellEnv() });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

describe('npm configuration', () => {
  it('an npm command in the project prints no warning', () => {
    const { status, stdout, stderr } = npm(['pkg', 'get', 'name']);
    expect(status).toBe(0);
    expect(stdout).toBe('"housing-mlops"');
    expect(stderr).toBe('');
  });

  it('.npmrc stops install scripts for npm versions without allowScripts', () => {
    expect(npm(['config', 'get', 'ignore-scripts']).stdout).toBe('true');
  });

  it('allowScripts denies every package of the lockfile that has an install script', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      allowScripts?: Record<string, boolean>;
    };
    const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts).toContain('onnxruntime-node');
    for (const name of withScripts) expect(pkg.allowScripts?.[name], name).toBe(false);
  });
});
