// An ESLint rule: a relative import must stay inside its own workspace. Code
// from another workspace is imported by its package name (`@housing/core/errors`),
// so that package.json says who depends on whom and `exports` says what is public.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
/** Workspace folders, longest first, so that a nested one wins. */
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  .workspaces.map((w) => resolve(root, w))
  .sort((a, b) => b.length - a.length);

/** The workspace folder that holds `file`, or undefined outside every workspace. */
export function workspaceOf(file) {
  return workspaces.find((w) => file === w || file.startsWith(w + sep));
}

function packageName(workspace) {
  const manifest = join(workspace, 'package.json');
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).name : undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid relative imports that cross a workspace boundary' },
    messages: {
      crosses:
        "'{{source}}' reaches from {{from}} into {{to}}: import it by package name ({{name}}/...) and declare {{name}} in {{from}}/package.json.",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = workspaceOf(file);
    if (!from) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = resolve(dirname(file), source);
      const to = workspaceOf(target);
      if (to === undefined || to === from) return;
      context.report({
        node: node.source,
        messageId: 'crosses',
        data: {
          source,
          from: relative(root, from),
          to: relative(root, to),
          name: packageName(to) ?? relative(root, to),
        },
      });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { 'workspace-boundaries': rule } };
