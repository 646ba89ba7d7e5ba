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

  /** Records a row; returns the line of an earlier identical row, or 0. */
  add(key: string, line: number): number {
    if (this.size * 2 >= this.keys.length) this.grow();
    const hash = hash53(key) + 1; // 0 marks an empty slot
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

/** Two FNV-1a passes with different offsets, combined into 53 bits. */
function hash53(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193 + 0x2f);
  }
  return (b >>> 11) * 4294967296 + (a >>> 0);
}
