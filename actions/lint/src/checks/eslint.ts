import { exec, repoPath, type Check } from './check.ts';

interface EslintFile {
  filePath: string;
  messages: {
    line?: number;
    column?: number;
    message: string;
    ruleId: string | null;
    severity: 1 | 2;
  }[];
}

/** ESLint with the repository's own flat config, through its JSON formatter. */
export const checkEslint: Check = async (root) => {
  // 1 is "found problems"; anything else is ESLint failing.
  const run = await exec(root, 'npx', ['--no-install', 'eslint', '--format', 'json', '.'], [0, 1]);
  const files = JSON.parse(run.stdout) as EslintFile[];
  return {
    name: 'ESLint',
    problems: files.flatMap((f) =>
      f.messages.map((m) => ({
        file: repoPath(root, f.filePath),
        ...(m.line === undefined ? {} : { line: m.line }),
        ...(m.column === undefined ? {} : { column: m.column }),
        message: `${m.message}${m.ruleId ? ` (${m.ruleId})` : ''}`,
        title: 'ESLint',
        severity: m.severity === 2 ? ('error' as const) : ('warning' as const),
      })),
    ),
  };
};
