import { orderStages, readDvcYaml } from '../runner/dvcyaml.ts';
import { runShell, runStages } from '../runner/run-stages.ts';
import { parseFlags } from '../util/args.ts';
import { createCliLogger } from '../util/logger.ts';
import { which } from '../util/which.ts';
import { runCli } from './run-cli.ts';

/**
 * `npm run pipeline`: `dvc repro` when DVC is installed; otherwise runs
 * dvc.yaml's stages itself, in dependency order. dvc.yaml is the one source
 * of truth for what the stages run.
 */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    { builtin: { type: 'boolean' } },
    'npm run pipeline -- [--builtin]',
  );
  const logger = createCliLogger('pipeline');
  if (!flags.builtin && which('dvc')) {
    logger.info('dvc is on PATH: running dvc repro');
    return runShell('dvc repro', process.cwd());
  }
  const stages = orderStages(await readDvcYaml('dvc.yaml'));
  logger.info(`running ${stages.map((s) => s.name).join(' -> ')} from dvc.yaml`);
  await runStages(stages, process.cwd(), logger);
  return 0;
});
