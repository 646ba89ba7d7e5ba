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
export const checkEslint: Check = (root) => {
  const run = exec(root, 'npx', ['--no-install', 'eslint', '--format', 'json', '.']);
  if (run.code !== 0 && run.code !== 1)
    throw new Error(`eslint exited with ${run.code}: ${run.stderr}`);
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
