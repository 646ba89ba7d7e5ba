import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  copyModel,
  removeDir,
  startService,
  trainModel,
} from '@housing/test-support/service';

let modelDir: string;

beforeAll(async () => {
  modelDir = await trainModel();
}, 120_000);
afterAll(async () => {
  await removeDir(modelDir);
});

/** The peak resident memory of a process so far, in MiB (VmHWM in /proc/<pid>/status). */
async function peakMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kib) / 1024;
}

describe('model files larger than any model', () => {
  it('are rejected by their size, unread, and the old model keeps serving', async () => {
    // Sparse files: a card of 64 MiB (a real one is ~16 KB) and a model.onnx past
    // 1 GiB. Each was read whole into memory before it was found wrong; the card
    // was then decoded into a string as large again.
    const dir = await copyModel(modelDir);
    const service = await startService(dir);
    const reload = async () => {
      const res = await fetch(`${service.url}/admin/reload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      return { status: res.status, error: ((await res.json()) as { error?: string }).error };
    };
    const version = async () =>
      ((await (await fetch(`${service.url}/readyz`)).json()) as { model_version: string })
        .model_version;
    try {
      const before = await version();
      for (const [file, bytes] of [
        ['model.card.json', 64 * 2 ** 20],
        ['model.onnx', 2 ** 30 + 1],
      ] as const) {
        const path = join(dir, file);
        const saved = await readFile(path);
        await truncate(path, bytes);
        const res = await reload();
        expect(res.status, file).toBe(409);
        expect(res.error, file).toMatch(/larger than .* bytes/);
        expect(await version(), file).toBe(before);
        await truncate(path, 0);
        await writeFile(path, saved);
      }
      expect((await reload()).status).toBe(200);
      // Neither file was read: the process never held anything near their size.
      expect(await peakMiB(service.child.pid!)).toBeLessThan(768);
    } finally {
      await service.stop();
      await removeDir(dir);
    }
  }, 120_000);
});
