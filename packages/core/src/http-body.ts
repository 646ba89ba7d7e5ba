import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** Why a body was refused, for callers that word some answers their own way. */
export type BodyErrorCode =
  | 'content-type'
  | 'charset'
  | 'content-encoding'
  | 'too-large'
  | 'empty'
  | 'malformed'
  | 'too-many-keys'
  | 'too-many-containers'
  | 'aborted'
  | 'unreadable';

/** One problem with the body as a whole, for an answer's `details` (`path` '' is the body). */
export interface BodyProblem {
  path: string;
  message: string;
}

/**
 * A request body that cannot be read as JSON: its HTTP status (400, 413 or
 * 415), a code saying why, and a message that says it to the client.
 */
export class HttpBodyError extends Error {
  override readonly name = 'HttpBodyError';
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: BodyErrorCode,
    message: string,
    readonly details?: BodyProblem[],
  ) {
    super(message);
  }
}

/**
 * Content-Encodings a client may compress its body with, as express.json()
 * accepts them. A Map, not an object literal: the header is the client's, and
 * "toString" or "constructor" must not find a decoder on Object.prototype.
 */
const DECODERS = new Map<string, () => NodeJS.ReadWriteStream>([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

/**
 * The most of each costly thing a body may hold before it is parsed: more
 * than any valid request holds means the body is invalid, and refusing it
 * unparsed keeps its cost to that of reading it.
 */
export interface BodyBudget {
  /** ':' characters: every key costs JSON.parse a property. */
  colons: number;
  /**
   * '{' and '[' characters together: every object and array costs JSON.parse
   * about 20 times what a number does, nested or not, and needs no ':'.
   */
  containers: number;
  /** The largest valid request, as the errors name it ("a batch of 1000 rows"). */
  largest?: string;
}

/** No budget: every body that fits the size limit is parsed. */
export const UNBOUNDED: BodyBudget = { colons: Infinity, containers: Infinity };

/**
 * Reads a request's JSON body: checks its Content-Type and charset (415),
 * inflates a compressed body, stops at `limitBytes` of decoded body (413),
 * skips one leading UTF-8 byte order mark, refuses a body with more keys or
 * more objects and arrays than `budget` allows (more than the caller can
 * accept) and parses it (400 for malformed JSON). Every failure is an
 * HttpBodyError that says what was wrong; the service and the relay both
 * read their bodies here.
 */
export async function readJsonBody(
  req: IncomingMessage,
  limitBytes: number,
  budget: BodyBudget = UNBOUNDED,
): Promise<unknown> {
  const contentType = req.headers['content-type'];
  const [mediaType = '', ...params] = (contentType ?? '').split(';');
  if (mediaType.trim().toLowerCase() !== 'application/json')
    throw new HttpBodyError(
      415,
      'content-type',
      `Content-Type must be application/json, got ${contentType ?? 'none'}`,
    );
  for (const param of params) {
    const [key, value = ''] = param.split('=');
    const charset = value
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (key?.trim().toLowerCase() === 'charset' && charset !== 'utf-8' && charset !== 'utf8')
      throw new HttpBodyError(
        415,
        'charset',
        `unsupported charset "${charset.toUpperCase()}": send UTF-8`,
      );
  }
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase() || 'identity';
  let source: Readable = req;
  if (encoding !== 'identity') {
    const decoder = DECODERS.get(encoding);
    if (!decoder)
      throw new HttpBodyError(
        415,
        'content-encoding',
        `unsupported Content-Encoding "${encoding}": send identity, gzip, deflate or br`,
      );
    source = req.pipe(decoder()) as unknown as Readable;
  }
  // The limit holds for the body as sent too, whatever its encoding (see readText).
  if (Number(req.headers['content-length']) > limitBytes) throw tooLarge(limitBytes);
  const text = await readText(req, source, limitBytes);
  if (text.length === 0) throw new HttpBodyError(400, 'empty', 'malformed JSON: the body is empty');
  // Every key costs JSON.parse a property, and 130,000 keys in one object cost it ~60 ms:
  // a body with more ':' than any valid request holds is refused unparsed. A key takes
  // at least 4 characters ("":0), so a body of at most 4 × colons is not counted.
  const { colons, containers } = budget;
  const than = `more than any valid request${budget.largest ? ` (${budget.largest})` : ''} has`;
  if (text.length > 4 * colons && countChars(text, ':', colons) > colons) {
    throw new HttpBodyError(
      400,
      'too-many-keys',
      `the body has more than ${colons} keys (':' characters), ${than}`,
      [{ path: '', message: `must NOT have more than ${colons} keys` }],
    );
  }
  // 300,000 '{}' or '[]', or arrays nested thousands deep, cost JSON.parse 30-180 ms
  // without a single ':'. Each takes at least 2 characters.
  if (text.length > 2 * containers && countContainers(text, containers) > containers) {
    throw new HttpBodyError(
      400,
      'too-many-containers',
      `the body has more than ${containers} objects and arrays ('{' and '[' characters), ${than}`,
      [{ path: '', message: `must NOT have more than ${containers} objects and arrays` }],
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpBodyError(400, 'malformed', `malformed JSON: ${(error as Error).message}`);
  }
}

/**
 * Stops decoding and discards what the client still sends of a body given up
 * on. Left unread, the request would stay paused (behind its decoder, whose
 * output nobody reads) and Node would not drain it: the next request on the
 * keep-alive connection would never be parsed. Discarding costs no decoding,
 * and the request timeout bounds how long a client may keep sending.
 */
function discardRest(req: IncomingMessage, source: Readable): void {
  if (source !== req) {
    req.unpipe(source as unknown as NodeJS.WritableStream);
    source.destroy(); // frees the decoder's buffers and zlib state now
  }
  req.removeAllListeners('data');
  req.resume();
}

/** The `char` characters in `text`, counted up to one past `max` (the work stops there). */
export function countChars(text: string, char: string, max: number): number {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1 && count <= max; at = text.indexOf(char, at + 1))
    count++;
  return count;
}

/** The '{' and '[' characters in `text`, counted up to one past `max`. */
function countContainers(text: string, max: number): number {
  const objects = countChars(text, '{', max);
  return objects > max ? objects : objects + countChars(text, '[', max - objects);
}

function tooLarge(limitBytes: number): HttpBodyError {
  return new HttpBodyError(
    413,
    'too-large',
    `the body is larger than the limit of ${limitBytes} bytes`,
  );
}

/**
 * True when the body starts with the UTF-8 byte order mark (EF BB BF). Some
 * clients (PowerShell, .NET, editors saving "UTF-8 with BOM") put one before
 * the JSON; body-parser, and so express.json(), skips it, and so does this
 * reader, after any Content-Encoding is decoded.
 */
function hasBom(body: Buffer): boolean {
  return body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
}

/**
 * Collects `source` (the request, or its decoder) as UTF-8 text without one
 * leading byte order mark, failing as soon as it passes `limitBytes`, decoded
 * or as sent. A compressed body can be far larger than what it inflates to
 * (empty gzip members, empty deflate blocks: 5 bytes each, nothing decoded),
 * and every byte of it costs reading and inflating: counting only the decoded
 * bytes let a client stream gigabytes into one request. A valid body never
 * grows when compressed but by a few header bytes, so one limit serves both.
 */
function readText(req: IncomingMessage, source: Readable, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const fail = (error: HttpBodyError) => {
      req.off('data', onWire);
      req.off('close', onRequestClose);
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('close', onClose);
      discardRest(req, source);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) fail(tooLarge(limitBytes));
      else chunks.push(chunk);
    };
    let sent = 0;
    const onWire = (chunk: Buffer) => {
      sent += chunk.length;
      if (sent > limitBytes) fail(tooLarge(limitBytes));
    };
    const onEnd = () => {
      req.off('data', onWire);
      req.off('close', onRequestClose);
      source.off('close', onClose);
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      resolve(body.toString('utf8', hasBom(body) ? 3 : 0));
    };
    // 'close' before 'end': the client went away mid-body.
    const onClose = () =>
      fail(new HttpBodyError(400, 'aborted', 'the request was aborted before its body ended'));
    // A request piped into a decoder neither ends nor closes it when it goes away
    // mid-body: watched only on the decoder, the read would wait for ever, holding
    // what it decoded and the decoder's state. (After the request's own 'end' the
    // decoder finishes by itself, and its 'end' settles the read.)
    const onRequestClose = () => {
      if (!req.readableEnded) onClose();
    };
    if (source !== req) {
      req.on('data', onWire);
      req.once('close', onRequestClose);
    }
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('close', onClose);
    source.once('error', (error: Error) =>
      fail(
        new HttpBodyError(
          400,
          'unreadable',
          `the body cannot be read: ${error.message.split('\n')[0] ?? 'error'}`,
        ),
      ),
    );
  });
}
