/**
 * `npm run rules:runbook`: sets every `runbook_url` in the Prometheus rules and their
 * promtool tests from RUNBOOK_URL_PREFIX (monitoring/src/runbook.ts) and the alert's
 * name, so that the prefix is written in one place. Prints each file it rewrote.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseFlags, type CommandHelp } from '@housing/core/args';
import { writeFileAtomic } from '@housing/core/atomic';
import { runCli } from '@housing/core/run-cli';
import { ROOT, RULE_TESTS_DIR, RULES_DIR } from '../paths.ts';
import { withRunbookUrls } from '../runbook.ts';

const HELP: CommandHelp = {
  command: 'npm run rules:runbook',
  summary:
    "Rewrites each runbook_url in monitoring/prometheus/rules and tests to RUNBOOK_URL_PREFIX\n(monitoring/src/runbook.ts) followed by the alert's heading anchor in RUNBOOK.md.",
};

runCli(async (argv) => {
  parseFlags(argv, {}, HELP);
  for (const dir of [RULES_DIR, RULE_TESTS_DIR]) {
    for (const name of (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      const file = join(dir, name);
      const text = await readFile(file, 'utf8');
      const updated = withRunbookUrls(text, relative(ROOT, file));
      if (updated === text) continue;
      await writeFileAtomic(file, updated);
      process.stdout.write(`rewrote ${relative(ROOT, file)}\n`);
    }
  }
  return 0;
});
