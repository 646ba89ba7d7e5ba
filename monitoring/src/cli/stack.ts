/**
 * `npm run stack`: the real service, Prometheus and Alertmanager on loopback,
 * with the repository's own rules, routing and temporary storage. Alerts that
 * Alertmanager routes are printed here, with their receiver. Ctrl-C stops all.
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runCli } from '../../../pipeline/src/cli/run-cli.ts';
import { parseFlags, type CommandHelp } from '../../../pipeline/src/util/args.ts';
import { ConfigurationError } from '../../../pipeline/src/util/errors.ts';
import { ROOT } from '../paths.ts';
import { startStack } from '../stack.ts';
import type { Notification } from '../webhook-sink.ts';

function printNotification({ path, payload }: Notification): void {
  for (const alert of payload.alerts)
    process.stdout.write(
      `alert  ${alert.status.padEnd(8)} ${alert.labels.alertname ?? '?'} -> ${path}` +
        `${alert.annotations.summary ? `: ${alert.annotations.summary}` : ''}\n`,
    );
}

const HELP: CommandHelp = {
  command: 'npm run stack',
  summary:
    'Starts the service (MODEL_DIR, default models/production), Prometheus and Alertmanager on\n127.0.0.1 with temporary storage and the committed config, and prints their URLs. Alerts\nare printed here. SIGINT, SIGTERM or SIGHUP stops them all and removes the storage.',
};

runCli(async (argv) => {
  parseFlags(argv, {}, HELP);
  const modelDir = resolve(ROOT, process.env.MODEL_DIR ?? 'models/production');
  try {
    await access(join(modelDir, 'model.onnx'));
  } catch {
    throw new ConfigurationError(
      `no model.onnx in ${modelDir}; train and promote one first with \`npm start -- --no-serve\``,
      'MODEL_DIR',
    );
  }
  process.stdout.write('starting the service, Prometheus and Alertmanager on 127.0.0.1...\n');
  const stack = await startStack({
    modelDir,
    interval: '5s',
    groupInterval: '5s',
    onNotification: printNotification,
  });
  process.stdout.write(
    [
      `service       ${stack.urls.service}  (docs: ${stack.urls.service}/docs/)`,
      `prometheus    ${stack.urls.prometheus}  (alerts: ${stack.urls.prometheus}/alerts)`,
      `alertmanager  ${stack.urls.alertmanager}`,
      `receivers     every receiver of alertmanager.yml delivers here, to ${stack.urls.sink}/<receiver>`,
      ...(stack.skippedJobs.length > 0
        ? [`not scraped   ${stack.skippedJobs.join(', ')} (compose-only)`]
        : []),
      'Grafana is compose-only (docker compose up). Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  process.stdout.write('stopping...\n');
  await stack.stop();
});
