import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findCycles,
  importsOf,
  ROOT,
  rootManifest,
  sourceFiles,
  workspaces,
  type Workspace,
} from './source-graph.ts';

/**
 * The workspaces are packages: each says in its package.json which others it
 * uses, imports them only by name through named `exports`, and the graph they
 * form has no cycle. This reads every source file's imports and holds them
 * against the manifests, so that a new import cannot slip past either.
 */

const byName = new Map(workspaces.map((w) => [w.manifest.name, w]));

/** Test and benchmark code may use devDependencies; product code may not. */
const isDevFile = (file: string) => /(^|\/)(test|bench)\//.test(file);

/** The package a bare specifier names: `@scope/name/sub` -> `@scope/name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const builtins = new Set(builtinModules);
const isBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtins.has(packageOf(specifier));

/** Workspace -> the workspaces its files import (product and dev separately). */
function usedWorkspaces(w: Workspace): { prod: Set<string>; dev: Set<string> } {
  const prod = new Set<string>();
  const dev = new Set<string>();
  for (const file of sourceFiles(w.dir)) {
    for (const specifier of importsOf(file)) {
      if (!specifier.startsWith('@housing/')) continue;
      const name = packageOf(specifier);
      if (name === w.manifest.name) continue;
      (isDevFile(file) ? dev : prod).add(name);
    }
  }
  return { prod, dev };
}

describe('workspaces', () => {
  it('every relative import stays inside its own workspace', () => {
    const crossings: string[] = [];
    for (const w of workspaces) {
      for (const file of sourceFiles(w.dir)) {
        for (const specifier of importsOf(file)) {
          if (!specifier.startsWith('.')) continue;
          const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
          if (!target.startsWith(`${w.dir}/`)) crossings.push(`${file} -> ${specifier}`);
        }
      }
    }
    expect(crossings).toEqual([]);
  });

  it('declare exactly the workspaces they import: dependencies for product code, devDependencies for tests', () => {
    for (const w of workspaces) {
      const { prod, dev } = usedWorkspaces(w);
      const declared = Object.keys(w.manifest.dependencies ?? {}).filter((d) =>
        d.startsWith('@housing/'),
      );
      const declaredDev = Object.keys(w.manifest.devDependencies ?? {}).filter((d) =>
        d.startsWith('@housing/'),
      );
      expect(declared.sort(), `${w.dir}/package.json dependencies`).toEqual([...prod].sort());
      expect(declaredDev.sort(), `${w.dir}/package.json devDependencies`).toEqual(
        [...dev].filter((d) => !prod.has(d)).sort(),
      );
    }
  });

  it('declare every npm package their product code imports', () => {
    const rootDeps = new Set(Object.keys(rootManifest.devDependencies ?? {}));
    for (const w of workspaces) {
      const declared = new Set(Object.keys(w.manifest.dependencies ?? {}));
      const missing = new Set<string>();
      for (const file of sourceFiles(w.dir).filter((f) => !isDevFile(f))) {
        for (const specifier of importsOf(file)) {
          if (specifier.startsWith('.') || isBuiltin(specifier)) continue;
          const name = packageOf(specifier);
          // Build scripts run from the root, with the root's tools.
          if (file.endsWith('.mjs') && rootDeps.has(name)) continue;
          if (!declared.has(name)) missing.add(`${name} (${file})`);
        }
      }
      expect([...missing], `${w.dir}/package.json dependencies`).toEqual([]);
    }
  });

  it('export named entry points only, each to a file that exists', () => {
    for (const w of workspaces) {
      for (const [entry, target] of Object.entries(w.manifest.exports ?? {})) {
        expect(entry, `${w.dir}/package.json exports`).not.toContain('*');
        expect(existsSync(join(ROOT, w.dir, target)), `${w.dir}: ${entry} -> ${target}`).toBe(true);
      }
    }
  });

  it('import other workspaces only through entry points they export', () => {
    const unexported: string[] = [];
    for (const w of workspaces) {
      for (const file of sourceFiles(w.dir)) {
        for (const specifier of importsOf(file)) {
          if (!specifier.startsWith('@housing/')) continue;
          const target = byName.get(packageOf(specifier));
          const entry = `.${specifier.slice(packageOf(specifier).length)}`;
          if (!target?.manifest.exports?.[entry]) unexported.push(`${file} -> ${specifier}`);
        }
      }
    }
    expect(unexported).toEqual([]);
  });

  it('form a graph without cycles, counting devDependencies', () => {
    const edges = new Map(
      workspaces.map((w) => [
        w.manifest.name,
        Object.keys({ ...w.manifest.dependencies, ...w.manifest.devDependencies }).filter((d) =>
          byName.has(d),
        ),
      ]),
    );
    const cycles = findCycles(edges);
    expect(cycles).toEqual([]);
  });
});
