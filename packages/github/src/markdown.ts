/** A GitHub-flavoured Markdown table; pipes in cells are escaped. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The status words the summaries use, with a mark a reader can scan. */
export const STATUS_MARK = { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail' } as const;
