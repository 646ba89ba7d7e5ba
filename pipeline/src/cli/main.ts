import { join } from 'node:path';
import { promoteModel } from '../registry/promote.ts';
import { runShell } from '../runner/run-stages.ts';
import { createCliLogger } from '../util/logger.ts';
import { loadParams } from '../params/params.ts';
import { ConfigurationError } from '../util/errors.ts';
import { parseFlags, type CommandHelp } from '../util/args.ts';
import { runCli } from './run-cli.ts';

const HELP: CommandHelp = {
  command: 'npm start',
  summary:
    "Pulls the data by hash, validates it, trains, evaluates, gates the candidate against\nmodels/production and, when it passes, promotes it there and serves it (HOST, PORT,\nand the service's other variables) until SIGTERM or Ctrl-C. Exit 1 when the gate fails.",
};

/**
 * `npm start`: the main job. Pulls the data by hash, runs the pipeline
 * (validate, train, evaluate), gates the candidate against production and,
 * when it passes, promotes it to models/production and serves it (unless
 * --no-serve).
 */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    { 'no-serve': { type: 'boolean', description: 'stop after promotion; do not serve' } },
    HELP,
  );
  const logger = createCliLogger('start');
  const root = process.cwd();
  const params = await loadParams('params.yaml');
  for (const [step, command] of [
    ['data:pull', 'npm run --silent data:pull'],
    ['pipeline', 'npm run --silent pipeline'],
  ] as const) {
    const code = await runShell(command, root);
    if (code !== 0)
      throw new ConfigurationError(
        `${step} failed (exit ${code}); see the messages above`,
        'npm start',
      );
  }
  const gate = await runShell('npm run --silent gate', root);
  const production = join('models', 'production');
  if (gate !== 0) {
    logger.error(`the candidate failed the gate: ${production} keeps the current model`);
    return 1;
  }
  await promoteModel('artifacts', production);
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
    ].join('\n'),
  );
  if (flags['no-serve']) return 0;
  // The service reads MODEL_DIR (default models/production) and PORT (default 8080).
  logger.info(
    `serving ${production} on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 8080} (Ctrl-C stops)`,
  );
  return runShell('npm run --silent serve', root);
});
