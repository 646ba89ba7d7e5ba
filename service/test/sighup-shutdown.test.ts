import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startService, trainModel } from './fixture.ts';

let modelDir: string;

beforeAll(async () => {
  modelDir = await trainModel();
}, 120_000);
afterAll(async () => {
  await removeDir(modelDir);
});

/** The messages of the service's JSON log lines, in order. */
function messages(logs: string[]): string[] {
  return logs.flatMap((line) => {
    try {
      return [(JSON.parse(line) as { msg?: string }).msg ?? ''];
    } catch {
      return [];
    }
  });
}

describe('SIGHUP while the service shuts down', () => {
  it('starts no reload once SIGTERM arrived, and never kills the process', async () => {
    // A drain long enough that the storm below lands in it, and after it.
    const service = await startService(modelDir, { SHUTDOWN_DRAIN_MS: '400' });
    const pid = service.child.pid!;
    let sent = 0;
    let stormOn = true;
    const storm = () => {
      if (!stormOn) return;
      try {
        process.kill(pid, 'SIGHUP');
        sent++;
      } catch {
        return; // gone
      }
      setTimeout(storm, 2);
    };
    void service.exited.then(() => (stormOn = false));
    process.kill(pid, 'SIGTERM');
    // Once it says it is shutting down, every SIGHUP arrives during or after the drain.
    while (!messages(service.logs).includes('shutting down'))
      await new Promise((resolve) => setTimeout(resolve, 5));
    storm();
    const code = await service.exited;
    expect(sent).toBeGreaterThan(10);
    // Exit 0, not death by SIGHUP (its default action) once the handler was gone.
    expect(code).toBe(0);
    expect(service.child.signalCode).toBeNull();
    // No model load started after the shutdown began: it would only delay the exit.
    const log = messages(service.logs);
    const after = log.slice(log.indexOf('shutting down'));
    expect(after.filter((msg) => msg === 'model loaded' || msg === 'model load rejected')).toEqual(
      [],
    );
    expect(after).toContain('stopped');
  }, 60_000);
});
