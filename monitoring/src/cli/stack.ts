/**
 * `npm run stack`: the real service, Prometheus and Alertmanager on loopback,
 * with the repository's own rules, routing and temporary storage. Alerts that
 * Alertmanager routes are printed here, with their receiver. SIGINT, SIGTERM,
 * SIGHUP, or the death of any of its processes stops all of them (by PID,
 * waiting for each) and removes the temporary folder.
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runCli } from '@housing/core/run-cli';
import { parseFlags, type CommandHelp } from '@housing/core/args';
import { ConfigurationError } from '@housing/core/errors';
import { ROOT } from '../paths.ts';
import { startStack, type Stack } from '../stack.ts';
import type { Notification } from '../webhook-sink.ts';

/** What stops the stack: Ctrl-C, a process manager, a closed terminal. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

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
  // Listen from the start: a stop while starting must not leave what has started behind.
  const stopping = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => stopping.abort(signal);
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  const stopped = new Promise<void>((resolve) =>
    stopping.signal.addEventListener('abort', () => resolve(), { once: true }),
  );

  process.stdout.write('starting the service, Prometheus and Alertmanager on 127.0.0.1...\n');
  let stack: Stack;
  try {
    stack = await startStack({
      modelDir,
      interval: '5s',
      groupInterval: '5s',
      onNotification: printNotification,
      signal: stopping.signal,
    });
  } catch (error) {
    if (!stopping.signal.aborted) throw error;
    process.stdout.write(`stopped by ${String(stopping.signal.reason)} while starting\n`);
    return 0;
  }
  process.stdout.write(
    [
      `service       ${stack.urls.service}/docs/  (metrics: ${stack.urls.service}/metrics)`,
      `prometheus    ${stack.urls.prometheus}  (alerts: ${stack.urls.prometheusAlerts})`,
      `alertmanager  ${stack.urls.alertmanager}`,
      `receivers     every receiver of alertmanager.yml posts to a local sink (${new URL(stack.urls.sink).host}), which prints each alert here`,
      `storage       ${stack.dir} (removed on exit)`,
      ...(stack.skippedJobs.length > 0
        ? [`not scraped   ${stack.skippedJobs.join(', ')} (compose-only)`]
        : []),
      'Grafana is compose-only (docker compose up). Ctrl-C (or SIGTERM, SIGHUP) stops everything.',
      '',
    ].join('\n'),
  );
  const dead = await Promise.race([stopped.then(() => undefined), stack.died]);
  // Ctrl-C reaches the children too (same process group), and the exit of one
  // can be seen before our own SIGINT handler runs: give the signal a moment.
  if (dead) await new Promise((resolve) => setTimeout(resolve, 200));
  if (dead && !stopping.signal.aborted) {
    process.stderr.write(
      `${dead.name} exited unexpectedly; stopping the stack. Its last output:\n${dead.output().split('\n').slice(-20).join('\n')}\n`,
    );
    await stack.stop();
    return 1;
  }
  process.stdout.write('stopping...\n');
  await stack.stop();
  return 0;
});
