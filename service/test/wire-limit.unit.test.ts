import type { IncomingMessage } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readJsonBody } from '@housing/core/http-body';
import { SAMPLE_ROW } from '@housing/test-support/service';

/** A small BODY_LIMIT_BYTES, so that bodies around it stay cheap to build. */
const LIMIT = 4096;
const ROW = Buffer.from(JSON.stringify(SAMPLE_ROW));

/** A request carrying `body` (in chunks of 1 KB, as a socket delivers it) with `headers`. */
function request(body: Buffer, headers: Record<string, string>): IncomingMessage {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += 1024) chunks.push(body.subarray(at, at + 1024));
  return Object.assign(Readable.from(chunks), {
    headers: { 'content-type': 'application/json', ...headers },
  }) as unknown as IncomingMessage;
}

/** The status readJsonBody fails with, or 200 when it reads the body. */
async function statusOf(body: Buffer, headers: Record<string, string>): Promise<number> {
  try {
    await readJsonBody(request(body, headers), LIMIT);
    return 200;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

/**
 * A zlib (RFC 1950) stream of `data` preceded by `padding` empty stored
 * blocks: 5 bytes each on the wire, nothing once inflated.
 */
function paddedDeflate(data: Buffer, padding: number): Buffer {
  const empty = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]); // BFINAL=0, stored, LEN=0
  const zlib = deflateSync(data); // for its header and Adler-32 trailer
  return Buffer.concat([
    zlib.subarray(0, 2),
    ...Array<Buffer>(padding).fill(empty),
    deflateRawSync(data),
    zlib.subarray(zlib.length - 4),
  ]);
}

describe('BODY_LIMIT_BYTES bounds the body as sent, not only as decoded', () => {
  it('refuses a compressed body larger than the limit on the wire, even when it inflates to a small row', async () => {
    // gzip members concatenated: the row, then thousands of empty members (20 bytes each).
    const gzip = Buffer.concat([gzipSync(ROW), ...Array<Buffer>(1000).fill(gzipSync(''))]);
    const deflate = paddedDeflate(ROW, 1000);
    for (const [encoding, body] of [
      ['gzip', gzip],
      ['deflate', deflate],
    ] as const) {
      expect(body.length, encoding).toBeGreaterThan(LIMIT);
      // Sent chunked (no Content-Length), as a client streaming it would.
      expect(await statusOf(body, { 'content-encoding': encoding }), encoding).toBe(413);
      // With a Content-Length that already says it is too large.
      expect(
        await statusOf(body, {
          'content-encoding': encoding,
          'content-length': String(body.length),
        }),
        `${encoding} with Content-Length`,
      ).toBe(413);
    }
  });

  it('still reads a compressed body of exactly the limit, and one decoding to exactly the limit', async () => {
    const blanksTo = (bytes: number) => Buffer.concat([ROW, Buffer.alloc(bytes - ROW.length, 32)]);
    // On the wire exactly LIMIT bytes: padding of empty gzip members after the row.
    const member = gzipSync(ROW);
    const empty = gzipSync('');
    const filler = Math.floor((LIMIT - member.length) / empty.length);
    const exact = Buffer.concat([member, ...Array<Buffer>(filler).fill(empty)]);
    expect(exact.length).toBeLessThanOrEqual(LIMIT);
    expect(await statusOf(exact, { 'content-encoding': 'gzip' })).toBe(200);
    // Decoded exactly LIMIT, or one byte more.
    expect(await statusOf(gzipSync(blanksTo(LIMIT)), { 'content-encoding': 'gzip' })).toBe(200);
    expect(await statusOf(gzipSync(blanksTo(LIMIT + 1)), { 'content-encoding': 'gzip' })).toBe(413);
    // Uncompressed, exactly the limit and one byte over.
    expect(await statusOf(blanksTo(LIMIT), {})).toBe(200);
    expect(await statusOf(blanksTo(LIMIT + 1), {})).toBe(413);
  });
});

describe('a compressed body whose client goes away before its end', () => {
  it('fails the read at once, releasing the decoder and what it decoded', async () => {
    for (const encoding of ['gzip', 'deflate', 'br'] as const) {
      const compressed = {
        gzip: gzipSync,
        deflate: deflateSync,
        br: brotliCompressSync,
      }[encoding](Buffer.concat([ROW, Buffer.alloc(3000, 32)]));
      // The client sends the first half of its body, then its connection closes.
      const req = Object.assign(new PassThrough(), {
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
      let outcome: unknown = 'pending';
      const read = readJsonBody(req as unknown as IncomingMessage, LIMIT).then(
        () => (outcome = 'read'),
        (error: unknown) => (outcome = error),
      );
      req.write(compressed.subarray(0, compressed.length >> 1));
      await new Promise((resolve) => setImmediate(resolve));
      req.destroy();
      // A few turns of the event loop for 'close' to travel: no timer, no wall time.
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(outcome, encoding).toMatchObject({ status: 400 });
      expect((outcome as Error).message, encoding).toMatch(/aborted before its body ended/);
      await read;
    }
  });
});
