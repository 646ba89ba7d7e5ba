import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeImage } from '@housing/test-support/docker';
import { readDockerfile } from '@housing/test-support/dockerfile';
import { ROOT } from '@housing/test-support/root';

// The production Dockerfiles name the official images; only the container
// lane's stand-ins (.ci/containers/base-images.sh) know about this machine.
describe.each(['service/Dockerfile', 'relay/Dockerfile'])('%s', (path) => {
  it('builds every stage on the official Node 24 slim image, through ARG NODE_IMAGE', async () => {
    const { instructions } = await readDockerfile(join(ROOT, path));
    expect(nodeImage(instructions)).toMatch(/^node:24(\.\d+)*-bookworm-slim$/);
    const stages = instructions.filter((i) => i.op === 'FROM');
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.args).toMatch(/\$\{NODE_IMAGE\} AS \w+$/);
  });

  it('has no syntax line (its frontend image would be pulled) and no stand-in CA setup', async () => {
    const text = await readFile(join(ROOT, path), 'utf8');
    expect(text).not.toMatch(/^#\s*syntax=/m);
    expect(text).not.toMatch(/NODE_EXTRA_CA_CERTS|ca-certificates/);
  });
});
