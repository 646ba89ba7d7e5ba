// ESLint flat config: typescript-eslint's recommended type-aware rules for the
// TypeScript sources, plain recommended rules for the few JavaScript files.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import housing from './tools/eslint/workspace-boundaries.js';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'data/**',
      'artifacts/**',
      'models/**',
      'reports/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Every file, TypeScript or not: workspaces meet only through package names.
  {
    plugins: { housing },
    rules: { 'housing/workspace-boundaries': 'error' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // The build scripts are Node scripts.
  { files: ['**/*.mjs'], languageOptions: { globals: { process: 'readonly' } } },
);
