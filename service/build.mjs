// Bundles the service (and the few pipeline modules it shares) into ES
// modules for the container image: main.mjs and the inference worker's. Packages stay external: the image installs
// the service's production dependencies with npm ci.
import { build } from 'esbuild';

await build({
  // The inference worker is a second entry point: worker threads start from a file.
  entryPoints: {
    main: 'service/src/main.ts',
    'inference-worker': 'service/src/model/inference-worker.ts',
  },
  outdir: 'service/dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
