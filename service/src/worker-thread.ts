import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from `file`, a `.ts` entry when the service runs
 * from source (under tsx) or its `.mjs` bundle beside service/dist/main.mjs
 * (service/build.mjs builds each worker as an entry point). From source,
 * Node 20 does not hand the main thread's module loaders (tsx) to workers
 * (nodejs/node#47747): the worker registers tsx itself, then imports its
 * entry. The bundle needs none of that.
 */
export function startWorker(file: URL, workerData: unknown): Worker {
  if (!file.pathname.endsWith('.ts')) return new Worker(file, { workerData });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(file.href);
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); });`, {
    eval: true,
    workerData,
  });
}

/** A worker's file beside `base` (an import.meta.url): `name.ts` from source, `name.mjs` bundled. */
export function workerFile(name: string, base: string): URL {
  return new URL(base.endsWith('.ts') ? `./${name}.ts` : `./${name}.mjs`, base);
}
