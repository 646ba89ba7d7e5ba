/**
 * `npm ci` in an image needs every workspace's package.json beside the
 * lockfile, or it refuses the lockfile. A workspace added to the root
 * package.json and forgotten in a Dockerfile breaks only the image build,
 * which runs in the container lane alone; this catches it in the unit run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@housing/test-support/root';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;

describe('every workspace reaches the images', () => {
  it.each(['service/Dockerfile', 'relay/Dockerfile'])(
    '%s copies every workspace manifest in each stage that runs npm ci',
    (dockerfile) => {
      const stages = read(dockerfile)
        .split(/^FROM /m)
        .filter((stage) => /\bnpm ci\b/.test(stage));
      expect(stages.length).toBeGreaterThan(0);
      for (const stage of stages) {
        const missing = workspaces.filter((w) => !stage.includes(`COPY ${w}/package.json ${w}/`));
        expect(missing, `${dockerfile}: a stage running npm ci lacks these manifests`).toEqual([]);
      }
    },
  );

  it('.dockerignore lets every workspace manifest into the build context', () => {
    const lines = new Set(read('.dockerignore').split('\n'));
    expect(workspaces.filter((w) => !lines.has(`!${w}/package.json`))).toEqual([]);
  });
});
