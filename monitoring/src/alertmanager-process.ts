import {
  freePort,
  requireBinary,
  startProcess,
  waitForHttp,
  type ManagedProcess,
} from './processes.ts';

/** A running Alertmanager on loopback. */
export interface RunningAlertmanager {
  process: ManagedProcess;
  url: string;
  port: number;
}

/**
 * Starts Alertmanager (Debian's `prometheus-alertmanager`, or upstream's
 * `alertmanager`) on 127.0.0.1 with `configFile`, keeping its state in
 * `dataDir`, and waits until it is ready. Clustering is off: it would listen
 * on 0.0.0.0:9094.
 */
export async function startAlertmanager(options: {
  configFile: string;
  dataDir: string;
  port?: number;
}): Promise<RunningAlertmanager> {
  const port = options.port ?? (await freePort());
  const process = startProcess(
    'alertmanager',
    requireBinary(
      ['prometheus-alertmanager', 'alertmanager'],
      'apt-get install prometheus-alertmanager (what .ci/run does)',
    ),
    [
      `--config.file=${options.configFile}`,
      `--storage.path=${options.dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/-/ready`, process);
  } catch (error) {
    await process.stop();
    throw error;
  }
  return { process, url, port };
}
