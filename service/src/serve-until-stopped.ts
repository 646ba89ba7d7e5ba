import type { RunningService } from './server.ts';

/**
 * Starts the service with `begin` and keeps it running until SIGTERM or
 * SIGINT, then drains it (`close()`) and resolves; SIGHUP reloads the model
 * meanwhile. The service's own entry point and `npm start` both serve through
 * this, so both answer signals the same way.
 *
 * The handlers are installed before `begin` runs: a supervisor may send
 * SIGTERM as soon as it sees the "listening" line, and a signal in the gap
 * between listening and installing them would take Node's default action and
 * kill the process undrained. A stop signal during startup is kept and acted
 * on once the service is up; a SIGHUP then is ignored (there is nothing to
 * reload yet).
 *
 * Once stopping, SIGHUP is ignored: a reload started during the drain loads a
 * model nobody will be served (worker thread, two onnxruntime sessions), and
 * delays the exit until it has. The handlers stay until the process ends:
 * removed, SIGHUP's default action would kill the process between the end of
 * the drain and its exit 0. (Node's own teardown, the last moments of the
 * exit, still restores that default; nothing in JavaScript runs then.)
 */
export async function serveUntilStopped(begin: () => Promise<RunningService>): Promise<void> {
  // Set once begin() resolves; SIGHUP before then has nothing to reload.
  const started: { service?: RunningService } = {};
  let stopping = false;
  let pending: NodeJS.Signals | undefined;
  let stop = (signal: NodeJS.Signals): void => {
    pending ??= signal;
  };
  // on, not once: Ctrl-C under npm arrives twice (from the terminal, and
  // forwarded by npm), and a second SIGINT without a handler would kill the
  // process mid-drain. close() is idempotent.
  const onStop = (signal: NodeJS.Signals) => stop(signal);
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', () => {
    if (started.service && !stopping) void started.service.reload();
  });
  const running = await begin();
  started.service = running;
  await new Promise<void>((resolve) => {
    stop = (signal) => {
      stopping = true;
      running.logger.info({ signal }, 'shutting down');
      void running.close().then(resolve);
    };
    if (pending) stop(pending);
  });
}
