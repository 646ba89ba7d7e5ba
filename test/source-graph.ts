import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * What the repository-wide tests read: the workspaces, their source files and the imports
 * each file makes, and cycles in a graph of them (between workspaces or between files).
 */
export const ROOT = resolve(import.meta.dirname, '..');

/** A workspace's package.json, the fields these tests hold code against. */
export interface Manifest {
  name: string;
  exports?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
/** A workspace: its folder from the root and its manifest. */
export interface Workspace {
  dir: string;
  manifest: Manifest;
}

/** The root package.json, with its workspace list. */
export const rootManifest = JSON.parse(
  readFileSync(join(ROOT, 'package.json'), 'utf8'),
) as Manifest & {
  workspaces: string[];
};
/** Every workspace the root lists, in its order. */
export const workspaces: Workspace[] = rootManifest.workspaces.map((dir) => ({
  dir,
  manifest: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest,
}));

/** Source files under `dir` (from the root), without dependencies and bundles. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(join(ROOT, at), { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist'].includes(entry.name)) walk(path);
      } else if (/\.(ts|mts|mjs|js)$/.test(entry.name)) out.push(path);
    }
  };
  walk(dir);
  return out;
}

// `import type` and `export ... from` included: a type-only cycle is still a cycle to a reader.
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The specifiers a file (from the root) imports, static or dynamic. */
export function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

/** Each cycle of a directed graph, once per back edge, as `a -> b -> a`. */
export function findCycles(edges: Map<string, string[]>): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(node)), node].join(' -> '));
      return;
    }
    state.set(node, 'visiting');
    for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of edges.keys()) visit(node, []);
  return cycles;
}
