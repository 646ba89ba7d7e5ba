// Bundles the service (and the workspace packages it imports, such as
// @housing/core) into ES modules for the container image: main.mjs and the
// inference worker's. npm packages stay external: the image installs the
// service's production dependencies with npm ci.
import { build } from 'esbuild';

/** Keeps every npm package external, but bundles this repository's own workspaces. */
const externalNpmPackages = {
  name: 'external-npm-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@housing/') ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  // The inference worker is a second entry point: worker threads start from a file.
  entryPoints: {
    main: 'service/src/main.ts',
    'inference-worker': 'service/src/model/inference-worker.ts',
    // And so is the prediction log's store thread (prediction-log/store-thread.ts).
    'store-worker': 'service/src/prediction-log/store-worker.ts',
  },
  outdir: 'service/dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  plugins: [externalNpmPackages],
  sourcemap: true,
  logLevel: 'warning',
});
