// Bundles the service (and the few pipeline modules it shares) into one ES
// module for the container image. Packages stay external: the image installs
// the service's production dependencies with npm ci.
import { build } from 'esbuild';

await build({
  entryPoints: ['service/src/main.ts'],
  outfile: 'service/dist/main.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
