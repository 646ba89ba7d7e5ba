import * as core from '@actions/core';

/** A problem at a place in a file, as annotations show it. */
export interface Problem {
  file: string;
  line?: number;
  column?: number;
  message: string;
  /** The tool or check that found it, used as the annotation's title. */
  title: string;
  severity?: 'error' | 'warning';
}

/**
 * Writes problems as annotations (GitHub shows them on the file and line),
 * at most `max` of them, then one notice that counts the rest of `total`
 * (which may exceed the list, when the list itself was capped).
 */
export function annotate(problems: readonly Problem[], max = 50, total = problems.length): void {
  const shown = problems.slice(0, max);
  for (const p of shown) {
    const properties: core.AnnotationProperties = {
      title: p.title,
      file: p.file,
      ...(p.line === undefined ? {} : { startLine: p.line }),
      ...(p.column === undefined ? {} : { startColumn: p.column }),
    };
    if (p.severity === 'warning') core.warning(p.message, properties);
    else core.error(p.message, properties);
  }
  if (total > shown.length)
    core.notice(`${total - shown.length} more problem(s) not annotated (at most ${max} are).`);
}
