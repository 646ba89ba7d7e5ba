import { join } from 'node:path';
import { installModel } from '../install/install-model.ts';
import { runScript } from '../runner/run-stages.ts';
import { formatRecordHint, uncommittedRecord } from '../runner/record-hint.ts';
import { createCliLogger, type Logger } from '@housing/core/logger';
import type { ServiceConfig } from '@housing/service/config';
import { loadParams } from '../params/params.ts';
import { CommandError } from '@housing/core/errors';
import { parseFlags, type CommandHelp } from '@housing/core/args';
import { runCli } from '@housing/core/run-cli';

const HELP: CommandHelp = {
  command: 'npm start',
  summary:
    "Pulls the data by hash, validates it, trains, evaluates, gates the candidate against\nmodels/production and, when it passes, promotes it there and serves it (HOST, PORT,\nand the service's other variables) until SIGTERM or Ctrl-C. Exit 1 when the gate fails.\nIn a git work tree, it then names dvc.lock and the reports if the run changed them, and\nhow to commit them.",
};

/**
 * Serves `modelDir` in this process until SIGTERM or SIGINT (SIGHUP reloads),
 * as the service's own entry point does: signals reach the server directly,
 * and nothing is left running when this process ends.
 */
async function serve(config: ServiceConfig, logger: Logger): Promise<number> {
  const { start } = await import('@housing/service/server');
  const { serveUntilStopped } = await import('@housing/service/serve-until-stopped');
  await serveUntilStopped(async () => {
    const service = await start(config);
    logger.info(`serving ${config.modelDir} on ${service.url} (Ctrl-C stops)`);
    return service;
  });
  return 0;
}

/**
 * `npm start`: the main job. Pulls the data by hash, runs the pipeline
 * (validate, train, evaluate), gates the candidate against production and,
 * when it passes, promotes it to models/production and serves it in this
 * process (unless --no-serve). Each step runs as node on the step's entry
 * point: no npm and no shell in between, so a signal reaches it.
 */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    { 'no-serve': { type: 'boolean', description: 'stop after promotion; do not serve' } },
    HELP,
  );
  const logger = createCliLogger('start');
  const root = process.cwd();
  const production = join('models', 'production');
  // The service's variables are checked now, not after a few minutes of training.
  const serviceConfig = flags['no-serve']
    ? undefined
    : { ...(await import('@housing/service/config')).parseConfig(), modelDir: production };
  const params = await loadParams('params.yaml');
  for (const [step, script] of [
    ['data:pull', 'pull.ts'],
    ['pipeline', 'repro.ts'],
  ] as const) {
    const entry = join(import.meta.dirname, script);
    const code = await runScript(entry, [], root);
    // Its messages are above (stdio inherited): the error names the step and its exit code.
    if (code !== 0) throw new CommandError(['node', entry], code, '', null, `npm start: ${step}`);
  }
  // The stages are done: what they changed of git's record is said last, pass or fail.
  const hint = formatRecordHint(await uncommittedRecord(root));
  const gate = await runScript(join(import.meta.dirname, 'gate.ts'), [], root);
  if (gate !== 0) {
    logger.error(`the candidate failed the gate: ${production} keeps the current model`);
    process.stdout.write(hint);
    return 1;
  }
  await installModel('artifacts', production);
  logger.info(
    `promoted the candidate to ${production} (the gate's baseline is ${params.gate.baseline})`,
  );
  process.stdout.write(
    [
      '',
      'Model ready:',
      `  model  ${join(production, 'model.onnx')}`,
      `  card   ${join(production, 'model.card.json')}`,
      `  metrics reports/metrics.json, gate reports/gate.json, validation reports/validation.json`,
      '',
    ].join('\n') + hint,
  );
  return serviceConfig ? serve(serviceConfig, logger) : 0;
});
