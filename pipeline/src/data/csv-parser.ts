import { constants } from 'node:buffer';
import { ConfigurationError } from '@housing/core/errors';

/** One CSV record with the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  /** Its fields; empty when the parser left the record unsplit (`text` is set). */
  fields: string[];
  /**
   * Only from a parser made with `unsplit`: a whole line without quotes is
   * left as `text.slice(start, end)`, so that a reader that wants numbers
   * need not make a string of each field ({@link csvFields} splits it).
   */
  text?: string;
  start?: number;
  end?: number;
}

/** A record's fields, splitting an unsplit line exactly as the parser would have. */
export function csvFields(record: CsvRecord): string[] {
  return record.text === undefined
    ? record.fields
    : record.text.slice(record.start, record.end).split(',');
}

/**
 * How long a record may be, in characters (UTF-16 code units; bytes for ASCII
 * data). The parser holds at most one record, so these bound its memory
 * whatever the file holds: a stray quote, a file without line breaks, /dev/zero.
 */
export interface CsvLimits {
  /** Longest record after the header, line breaks inside quotes included. */
  maxRecordChars: number;
  /** Longest header (the first record). */
  maxHeaderChars: number;
}

/** 1 MiB per record (a housing row is about 70 characters) and 64 KiB of header. */
export const DEFAULT_CSV_LIMITS: Readonly<CsvLimits> = {
  maxRecordChars: 1_048_576,
  maxHeaderChars: 65_536,
};

/**
 * The largest limit either may be: the longest string the engine can hold
 * (536,870,888 characters on 64-bit Node 20). A field is one string, so past
 * this a long record would end in V8's "Invalid string length" RangeError
 * instead of the record-length error naming its line.
 */
export const MAX_CSV_LIMIT: number = constants.MAX_STRING_LENGTH;

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const BOM = 0xfeff;
/** The fields of an unsplit record: none (frozen, so that no consumer can fill the shared array). */
const NO_FIELDS = Object.freeze([]) as unknown as string[];
/** The characters the parser searches for, by the index of their cache slot. */
const SEARCHED = ['\n', '\r', '"', ','] as const;
const [NEXT_LF, NEXT_CR, NEXT_QUOTE, NEXT_COMMA] = [0, 1, 2, 3] as const;

/**
 * An RFC 4180 CSV parser fed chunk by chunk, in one pass: its state (the open
 * record, whether a quoted field is open, a CR at a chunk's end) is carried
 * between chunks, so no character is read again when a record spans lines or
 * chunks. Quoted fields may hold commas, doubled quotes and line breaks; a
 * quote elsewhere in a field is text. LF, CRLF and CR-only line endings all end
 * a record; a line break inside quotes becomes "\n". Blank lines are skipped,
 * and so is one byte order mark at the start.
 */
export class CsvParser {
  /**
   * Characters examined so far, counting each search's whole span: a few per
   * input character at most, whatever the input (tests assert it).
   */
  scanned = 0;
  private fields: string[] = [];
  private field = '';
  /** The next character begins a field: only there does a quote open a quoted field. */
  private fieldStart = true;
  private quoted = false;
  /** Inside a quoted field, the last character was a quote: it closes the field unless a quote follows. */
  private quoteSeen = false;
  /** The last character was a CR line break: an LF right after it belongs to it. */
  private afterCR = false;
  private line = 1;
  private recordLine = 1;
  private recordChars = 0;
  private quoteLine = 0;
  private headerDone = false;
  /** No character has been fed yet: a BOM here is skipped. */
  private atStart = true;
  private chunk = '';
  private pos = 0;
  /** A record completed and not yet returned. */
  private ready: CsvRecord | undefined;
  /** Where the next LF, CR, quote and comma are in the chunk (its length when there is none). */
  private readonly cache = [-1, -1, -1, -1];

  /**
   * `where` names the input in errors (a path). With `unsplit`, a whole line
   * without quotes comes back as its span of the chunk (see {@link CsvRecord});
   * the same checks and limits apply.
   */
  constructor(
    private readonly where: string,
    private readonly limits: Readonly<CsvLimits> = DEFAULT_CSV_LIMITS,
    private readonly unsplit = false,
  ) {
    // Callers check user input (csvLimitsFromFlags names the flag); this catches code that does not.
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || value < 1 || value > MAX_CSV_LIMIT)
        throw new RangeError(`CsvParser: ${name} must be a whole number from 1 to at most ${MAX_CSV_LIMIT}, got ${value}`);
    }
  }

  /** Parses a whole chunk and returns the records it completes. */
  push(chunk: string): CsvRecord[] {
    this.feed(chunk);
    const out: CsvRecord[] = [];
    for (let record = this.next(); record; record = this.next()) out.push(record);
    return out;
  }

  /** Takes the next chunk of input; call {@link next} until it returns undefined first. */
  feed(chunk: string): void {
    if (this.pos < this.chunk.length) throw new Error('CsvParser.feed before the last chunk was read');
    this.chunk = chunk;
    this.pos = 0;
    this.cache.fill(-1);
    // One byte order mark at the very start is not data (Excel's "CSV UTF-8"
    // writes one): left in, it would make a quoted first field's quote text.
    if (this.atStart && chunk.length > 0) {
      this.atStart = false;
      if (chunk.charCodeAt(0) === BOM) this.pos = 1;
    }
  }

  /**
   * The next record the fed chunk completes, or undefined once the chunk is
   * used up. One record at a time, so that a reader holds no more than one.
   */
  next(): CsvRecord | undefined {
    const chunk = this.chunk;
    const n = chunk.length;
    let i = this.pos;
    while (i < n && this.ready === undefined) {
      if (this.afterCR) {
        this.afterCR = false;
        if (chunk.charCodeAt(i) === LF) {
          this.scanned++;
          i++;
          continue;
        }
      }
      if (this.quoted) i = this.inQuotes(i);
      else if (this.recordChars === 0) i = this.lineStart(i);
      else i = this.unquoted(i);
    }
    this.pos = i;
    const record = this.ready;
    this.ready = undefined;
    return record;
  }

  /** Ends the input: the last record, or an error for a quote never closed. */
  end(): CsvRecord[] {
    if (this.quoted && !this.quoteSeen) {
      throw new ConfigurationError(
        `unterminated quoted field: the quote opened on line ${this.quoteLine} is never closed`,
        { file: this.where, line: this.recordLine },
      );
    }
    if (this.recordChars > 0) this.emit();
    const record = this.ready;
    this.ready = undefined;
    return record ? [record] : [];
  }

  /** The next position of a searched character at or after `from`; each is searched once per chunk. */
  private find(slot: number, from: number): number {
    const cached = this.cache[slot]!;
    if (cached >= from) return cached;
    let found = this.chunk.indexOf(SEARCHED[slot]!, from);
    if (found < 0) found = this.chunk.length;
    this.scanned += found - from + 1;
    this.cache[slot] = found;
    return found;
  }

  /** The common case: a whole line without a quote in this chunk is split at once. */
  private lineStart(i: number): number {
    const end = Math.min(this.find(NEXT_LF, i), this.find(NEXT_CR, i));
    if (end === this.chunk.length || this.find(NEXT_QUOTE, i) < end) return this.unquoted(i);
    if (end > i) {
      this.grow(end - i);
      this.scanned += end - i;
      if (this.unsplit) {
        this.ready = { line: this.recordLine, fields: NO_FIELDS, text: this.chunk, start: i, end };
        this.endRecord();
      } else {
        this.fields = this.chunk.slice(i, end).split(',');
        this.field = this.fields.pop()!;
        this.emit();
      }
    }
    this.lineBreak(end);
    return end + 1;
  }

  /** Outside quotes: text up to the next comma or line break. */
  private unquoted(i: number): number {
    const chunk = this.chunk;
    if (this.fieldStart && chunk.charCodeAt(i) === QUOTE) {
      this.grow(1);
      this.scanned++;
      this.quoted = true;
      this.quoteLine = this.line;
      this.fieldStart = false;
      return i + 1;
    }
    this.fieldStart = false;
    const stop = Math.min(this.find(NEXT_COMMA, i), this.find(NEXT_LF, i), this.find(NEXT_CR, i));
    this.take(i, stop);
    if (stop === chunk.length) return stop;
    if (chunk.charCodeAt(stop) === COMMA) {
      this.grow(1);
      this.fields.push(this.field);
      this.field = '';
      this.fieldStart = true;
    } else {
      if (this.recordChars > 0) this.emit();
      this.lineBreak(stop);
    }
    return stop + 1;
  }

  /**
   * Inside quotes: everything up to the next quote is the field's, line breaks
   * included, taken as one piece (a stray quote can leave a field open for a
   * MiB: appending it line by line would build a rope of a node per line).
   */
  private inQuotes(i: number): number {
    const chunk = this.chunk;
    if (this.quoteSeen) {
      this.quoteSeen = false;
      if (chunk.charCodeAt(i) === QUOTE) {
        this.grow(1);
        this.scanned++;
        this.field += '"';
        return i + 1;
      }
      this.quoted = false; // that quote closed the field; read this character outside quotes
      return i;
    }
    const stop = this.find(NEXT_QUOTE, i);
    if (stop > i) {
      this.grow(stop - i);
      this.scanned += stop - i;
      let text = chunk.slice(i, stop);
      if (this.find(NEXT_CR, i) < stop) {
        text = text.replace(/\r\n?/g, '\n');
        // A CR ending the chunk may be the first half of a CRLF.
        this.afterCR = stop === chunk.length && chunk.charCodeAt(stop - 1) === CR;
      }
      this.field += text;
      this.line += this.countBreaks(i, stop);
    }
    if (stop === chunk.length) return stop;
    this.grow(1);
    this.quoteSeen = true;
    return stop + 1;
  }

  /** Line breaks (LF, CRLF or CR) in chunk[from, to), found with the cached searches. */
  private countBreaks(from: number, to: number): number {
    const chunk = this.chunk;
    let breaks = 0;
    for (let at = from; ; ) {
      const lf = this.find(NEXT_LF, at);
      const cr = this.find(NEXT_CR, at);
      const next = Math.min(lf, cr);
      if (next >= to) return breaks;
      breaks++;
      at = next === cr && chunk.charCodeAt(next + 1) === LF && next + 1 < to ? next + 2 : next + 1;
    }
  }

  /** Appends chunk[from, to) to the current field. */
  private take(from: number, to: number): void {
    if (to === from) return;
    this.grow(to - from);
    this.scanned += to - from;
    this.field += this.chunk.slice(from, to);
  }

  /** Counts characters into the record, failing before it passes its limit. */
  private grow(chars: number): void {
    if (this.recordChars === 0) this.recordLine = this.line;
    this.recordChars += chars;
    const limit = this.headerDone ? this.limits.maxRecordChars : this.limits.maxHeaderChars;
    if (this.recordChars <= limit) return;
    const [what, flag] = this.headerDone
      ? ['record', '--max-record-chars']
      : ['header', '--max-header-chars'];
    const hint = this.quoted
      ? `; it is inside a quoted field opened on line ${this.quoteLine}: an unbalanced quote?`
      : '';
    throw new ConfigurationError(
      `the ${what} starting on this line is longer than ${limit.toLocaleString('en-US')} characters (${flag} sets the limit)${hint}`,
      { file: this.where, line: this.recordLine },
    );
  }

  private emit(): void {
    this.fields.push(this.field);
    this.ready = { line: this.recordLine, fields: this.fields };
    this.fields = [];
    this.endRecord();
  }

  /** Readies the state for the next record. */
  private endRecord(): void {
    this.field = '';
    this.fieldStart = true;
    this.recordChars = 0;
    this.headerDone = true;
  }

  /** A line break outside quotes at `at`. */
  private lineBreak(at: number): void {
    this.line++;
    this.afterCR = this.chunk.charCodeAt(at) === CR;
  }
}
