import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HttpBodyError, readJsonBody } from '@housing/core/http-body';

/** A request carrying `body` with `headers`, as readJsonBody reads it. */
const request = (body: string | Buffer, headers: Record<string, string>) =>
  Object.assign(Readable.from([Buffer.from(body)]), { headers }) as unknown as IncomingMessage;

const JSON_TYPE = { 'content-type': 'application/json' };

/** The code, status and message readJsonBody fails with. */
async function refusal(body: string | Buffer, headers: Record<string, string>, limit = 64) {
  const error = await readJsonBody(request(body, headers), limit).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpBodyError);
  const { code, status, message } = error as HttpBodyError;
  return { code, status, message };
}

describe('readJsonBody', () => {
  it('parses JSON in UTF-8, with a byte order mark or compressed', async () => {
    await expect(readJsonBody(request('{"a":1}', JSON_TYPE), 64)).resolves.toEqual({ a: 1 });
    await expect(
      readJsonBody(request('\ufeff[1]', { 'content-type': 'application/json; charset=UTF-8' }), 64),
    ).resolves.toEqual([1]);
    await expect(
      readJsonBody(
        request(gzipSync('{"z":true}'), { ...JSON_TYPE, 'content-encoding': 'gzip' }),
        64,
      ),
    ).resolves.toEqual({ z: true });
  });

  it('names why it refuses a body, with a code and the status to answer', async () => {
    expect(await refusal('{}', { 'content-type': 'text/plain' })).toMatchObject({
      code: 'content-type',
      status: 415,
    });
    expect(
      await refusal('{}', { 'content-type': 'application/json; charset=latin1' }),
    ).toMatchObject({ code: 'charset', status: 415 });
    expect(
      (await refusal('{}', { 'content-type': 'application/json; charset=latin1' })).message,
    ).toMatch(/LATIN1/);
    expect(await refusal('{}', { ...JSON_TYPE, 'content-encoding': 'zstd' })).toMatchObject({
      code: 'content-encoding',
      status: 415,
    });
    expect(await refusal(`"${'x'.repeat(100)}"`, JSON_TYPE)).toMatchObject({
      code: 'too-large',
      status: 413,
      message: 'the body is larger than the limit of 64 bytes',
    });
    expect(await refusal('', JSON_TYPE)).toMatchObject({ code: 'empty', status: 400 });
    expect(await refusal('{"a":', JSON_TYPE)).toMatchObject({
      code: 'malformed',
      status: 400,
    });
    expect((await refusal('{"a":', JSON_TYPE)).message).toMatch(/^malformed JSON: /);
  });
});
