/**
 * One finding: `missing` is a required setting that is absent or wrong (the
 * doctor exits 1), `warn` something that may bite but need not, `ok` a
 * setting that is right, `none` an optional setting left unset.
 */
export interface Check {
  status: 'ok' | 'missing' | 'warn' | 'none';
  /** What was checked, e.g. `environment production`. */
  what: string;
  /** What was found, when `what` alone does not say. */
  detail?: string;
  /** How to fix it: a settings page, or a `gh` command. */
  fix?: string;
}

/** A group of checks under one heading. */
export interface Section {
  title: string;
  checks: Check[];
}

/** Shorthands, so that each check reads as one line. */
export const ok = (what: string, detail?: string): Check => ({
  status: 'ok',
  what,
  ...(detail ? { detail } : {}),
});
export const missing = (what: string, detail: string, fix: string): Check => ({
  status: 'missing',
  what,
  detail,
  fix,
});
export const warn = (what: string, detail: string, fix?: string): Check => ({
  status: 'warn',
  what,
  detail,
  ...(fix ? { fix } : {}),
});
export const none = (what: string, detail: string): Check => ({ status: 'none', what, detail });
