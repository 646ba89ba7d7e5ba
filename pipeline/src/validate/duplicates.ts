/**
 * Remembers rows by a 53-bit hash of their values, in flat typed arrays
 * (16 bytes a row at most), so duplicate detection over a million rows costs
 * megabytes, not a Set of strings. Two different rows share a hash with
 * probability about n²/2⁵⁴: 5e-5 for a million rows.
 */
export class DuplicateIndex {
  private keys = new Float64Array(1 << 12);
  private lines = new Uint32Array(1 << 12);
  private size = 0;

  /** Records a row by its {@link RowHasher} hash; returns the line of an earlier identical row, or 0. */
  add(rowHash: number, line: number): number {
    if (this.size * 2 >= this.keys.length) this.grow();
    const hash = rowHash + 1; // 0 marks an empty slot
    const mask = this.keys.length - 1;
    let slot = (hash % this.keys.length) & mask;
    for (;;) {
      const k = this.keys[slot]!;
      if (k === 0) {
        this.keys[slot] = hash;
        this.lines[slot] = line;
        this.size++;
        return 0;
      }
      if (k === hash) return this.lines[slot]!;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldLines = this.lines;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.lines = new Uint32Array(oldKeys.length * 2);
    const mask = this.keys.length - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i]!;
      if (k === 0) continue;
      let slot = (k % this.keys.length) & mask;
      while (this.keys[slot] !== 0) slot = (slot + 1) & mask;
      this.keys[slot] = k;
      this.lines[slot] = oldLines[i]!;
    }
  }
}

/** Word tags, so that a number, a text and a missing value never hash alike. */
const NULL_TAG = 0x9e3779b9;
const NUMBER_TAG = 0x85ebca6b;
const TEXT_TAG = 0xc2b2ae35;

/**
 * A row's 53-bit hash, value by value: two FNV-1a lanes with different
 * offsets over 32-bit words. A number is hashed by its float64 bits, not its
 * text: turning every number into a string took a third of validation's time.
 */
export class RowHasher {
  private a = 0;
  private b = 0;
  private readonly float = new Float64Array(1);
  private readonly words = new Uint32Array(this.float.buffer);

  /** Starts a new row. */
  reset(): void {
    this.a = 0x811c9dc5;
    this.b = 0x01000193 ^ 0x5bd1e995;
  }

  /** Adds one value: a number, a text or null. */
  add(value: number | string | null): void {
    if (value === null) this.addNull();
    else if (typeof value === 'number') this.addNumber(value);
    else this.addText(value);
  }

  /** Adds a missing value. */
  addNull(): void {
    this.word(NULL_TAG);
  }

  /** Adds a number, by its bits. */
  addNumber(value: number): void {
    // 0 and -0 are the same value, as their texts were.
    this.float[0] = value === 0 ? 0 : value;
    this.word(NUMBER_TAG);
    this.word(this.words[0]!);
    this.word(this.words[1]!);
  }

  /** Adds a text, by its UTF-16 code units. */
  addText(value: string): void {
    this.word(TEXT_TAG ^ value.length);
    for (let i = 0; i < value.length; i++) this.word(value.charCodeAt(i));
  }

  /** The row's hash, below 2⁵³. */
  digest(): number {
    return (this.b >>> 11) * 4294967296 + (this.a >>> 0);
  }

  private word(w: number): void {
    this.a = Math.imul(this.a ^ w, 0x01000193);
    this.b = Math.imul(this.b ^ w, 0x01000193 + 0x2f);
  }
}
