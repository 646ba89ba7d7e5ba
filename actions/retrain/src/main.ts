import { readFile } from 'node:fs/promises';
import * as core from '@actions/core';
import { readModelCard } from '@housing/model-card/read';
import { pullData } from '@housing/pipeline/pull';
import { gitTrackedRecord, orderStages, readDvcYaml } from '@housing/pipeline/dvcyaml';
import { runStages } from '@housing/pipeline/run-stages';
import { ConfigurationError } from '@housing/core/errors';
import { which } from '@housing/core/which';
import { execProgram } from '../../shared/exec.ts';
import { coreLogger } from '../../shared/logger.ts';
import { stringInput } from '../../shared/inputs.ts';
import { runAction } from '../../shared/run.ts';
import { parseCurve, retrainSummary } from './summary.ts';

/** dvc.lock beside dvc.yaml, where both dvc repro and the built-in runner keep it. */
const LOCK_FILE = 'dvc.lock';

/** The inputs of action.yml, read once. */
export interface Inputs {
  dvc: 'auto' | 'true' | 'false';
  modelPath: string;
  cardPath: string;
  metricsPath: string;
  curvePath: string;
}

export function getInputs(): Inputs {
  const dvc = stringInput('dvc', 'auto');
  if (dvc !== 'auto' && dvc !== 'true' && dvc !== 'false')
    throw new ConfigurationError(`input 'dvc' must be auto, true or false, got '${dvc}'`);
  return {
    dvc,
    modelPath: stringInput('model-path', 'artifacts/model.onnx'),
    cardPath: stringInput('card-path', 'artifacts/model.card.json'),
    metricsPath: stringInput('metrics-path', 'reports/metrics.json'),
    curvePath: stringInput('curve-path', 'reports/training_curve.csv'),
  };
}

/** Pulls the data, runs the pipeline, and reports the model it produced. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = getInputs();
    const useDvc = inputs.dvc === 'true' || (inputs.dvc === 'auto' && which('dvc') !== undefined);
    if (inputs.dvc === 'true' && !which('dvc'))
      throw new ConfigurationError("input 'dvc' is true, but dvc is not on PATH");

    await core.group(useDvc ? 'Pull the data (dvc pull)' : 'Pull the data (built-in)', async () => {
      // Only data.dvc: the stage outputs dvc.lock records are rebuilt, never pushed.
      if (useDvc) return void (await execProgram('dvc', ['pull', 'data.dvc']));
      const result = await pullData({ root: process.cwd(), logger: coreLogger });
      core.info(`${result.fetched.length} fetched, ${result.upToDate.length} up to date`);
    });
    const stages = orderStages(await readDvcYaml('dvc.yaml'));
    await core.group(useDvc ? 'Run the pipeline (dvc repro)' : 'Run the pipeline', async () => {
      if (useDvc) return void (await execProgram('dvc', ['repro']));
      // Kept as dvc repro keeps it: the pull request that proposes the model carries it.
      await runStages(stages, process.cwd(), coreLogger, { lockFile: LOCK_FILE });
    });
    // dvc.lock, then the metrics and plots dvc.yaml leaves to git (`cache: false`).
    const [lockPath, ...reportPaths] = gitTrackedRecord(stages, LOCK_FILE);

    const card = await readModelCard(inputs.cardPath);
    const curve = parseCurve(await readFile(inputs.curvePath, 'utf8'), inputs.curvePath);
    await core.summary.addRaw(retrainSummary(card, curve), true).write();

    core.setOutput('model-version', card.model_version);
    core.setOutput('model-path', inputs.modelPath);
    core.setOutput('card-path', inputs.cardPath);
    core.setOutput('metrics-path', inputs.metricsPath);
    core.setOutput('lock-path', lockPath);
    core.setOutput('report-paths', reportPaths.join('\n'));
    core.info(`model ${card.model_version}: test RMSE ${card.metrics.rmse.toFixed(0)}`);
  });
}
