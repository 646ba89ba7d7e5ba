// Bundles each action into actions/<name>/dist/index.js (committed: GitHub runs
// it as is). CI rebuilds and fails if the result differs from what is committed.
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = import.meta.dirname;
const actions = readdirSync(root).filter((d) => existsSync(join(root, d, 'action.yml')));

for (const name of actions) {
  await build({
    entryPoints: [join(root, name, 'src/index.ts')],
    outfile: join(root, name, 'dist/index.js'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // Bundled CommonJS dependencies still call require() for Node built-ins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    legalComments: 'none',
    logLevel: 'warning',
  });
  process.stdout.write(`actions/${name}/dist/index.js\n`);
}
