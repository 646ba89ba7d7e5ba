import { open } from 'node:fs/promises';
import type { Cell } from '../data/rows.ts';

/** A cell as CSV text: empty for null, quoted (RFC 4180) when it holds a separator, a quote or a line break. */
export function csvField(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows as CSV lines in `header`'s column order, each ending in a newline. */
export function csvLines(rows: readonly Record<string, Cell>[], header: readonly string[]): string {
  return rows.map((row) => `${header.map((c) => csvField(row[c] ?? null)).join(',')}\n`).join('');
}

/**
 * Appends `text` to the CSV at `path`, first ending its last record with a
 * newline when the file does not (a record must not run into the first new
 * one). `path` is the refresh's own staged copy, never the workspace's file.
 */
export async function appendToCsv(path: string, text: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const { size } = await handle.stat();
    const last = Buffer.alloc(1);
    if (size > 0) await handle.read(last, 0, 1, size - 1);
    const prefix = size > 0 && last[0] !== 0x0a ? '\n' : '';
    await handle.write(`${prefix}${text}`, size);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
