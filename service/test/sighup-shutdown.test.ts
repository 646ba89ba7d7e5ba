import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startService, trainModel } from '@housing/test-support/service';

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
  it('starts no reload once SIGTERM arrived, and the drain ends in exit 0', async () => {
    // A drain long enough for a reload to run in it.
    const service = await startService(modelDir, { SHUTDOWN_DRAIN_MS: '3000' });
    const pid = service.child.pid!;
    process.kill(pid, 'SIGTERM');
    while (!messages(service.logs).includes('shutting down'))
      await new Promise((resolve) => setTimeout(resolve, 5));
    // Three SIGHUPs early in the drain (a config manager's reload storm, say).
    for (let i = 0; i < 3; i++) {
      process.kill(pid, 'SIGHUP');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await service.exited).toBe(0);
    // No model load ran after the shutdown began: it loads a model nobody will be
    // served, and delays the exit until it has.
    const log = messages(service.logs);
    const after = log.slice(log.indexOf('shutting down'));
    expect(after.filter((msg) => msg === 'model loaded' || msg === 'model load rejected')).toEqual(
      [],
    );
    expect(after).toContain('stopped');
  }, 60_000);
});
