// Bundles the relay, its dependencies included, into one ES module: the
// image then needs Node and this file only.
import { build } from 'esbuild';

await build({
  entryPoints: ['relay/src/main.ts'],
  outfile: 'relay/dist/main.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // ajv is CommonJS and requires Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
