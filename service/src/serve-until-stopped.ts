import type { RunningService } from './server.ts';

/**
 * Keeps a started service running until SIGTERM or SIGINT, then drains it
 * (`close()`) and resolves; SIGHUP reloads the model meanwhile. The service's
 * own entry point and `npm start` both serve through this, so both answer
 * signals the same way.
 *
 * Once stopping, SIGHUP is ignored: a reload started during the drain loads a
 * model nobody will be served (worker thread, two onnxruntime sessions), and
 * delays the exit until it has. The handler stays until the process ends:
 * removed, SIGHUP's default action would kill the process between the end of
 * the drain and its exit 0. (Node's own teardown, the last moments of the
 * exit, still restores that default; nothing in JavaScript runs then.)
 */
export async function serveUntilStopped(service: RunningService): Promise<void> {
  let stopping = false;
  process.on('SIGHUP', () => {
    if (!stopping) void service.reload();
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      stopping = true;
      service.logger.info({ signal }, 'shutting down');
      void service.close().then(resolve);
    };
    // on, not once: Ctrl-C under npm arrives twice (from the terminal, and
    // forwarded by npm), and a second SIGINT without a handler would kill the
    // process mid-drain. close() is idempotent.
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
