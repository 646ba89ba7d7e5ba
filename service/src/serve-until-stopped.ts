import type { RunningService } from './server.ts';

/**
 * Keeps a started service running until SIGTERM or SIGINT, then drains it
 * (`close()`) and resolves; SIGHUP reloads the model meanwhile. The service's
 * own entry point and `npm start` both serve through this, so both answer
 * signals the same way.
 */
export async function serveUntilStopped(service: RunningService): Promise<void> {
  const reload = () => void service.reload();
  process.on('SIGHUP', reload);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      service.logger.info({ signal }, 'shutting down');
      void service.close().then(resolve);
    };
    // on, not once: Ctrl-C under npm arrives twice (from the terminal, and
    // forwarded by npm), and a second SIGINT without a handler would kill the
    // process mid-drain. close() is idempotent.
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  process.off('SIGHUP', reload);
}
