/** One request row: raw features by name. */
export type Row = Record<string, unknown>;
