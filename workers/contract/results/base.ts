// What a run's result is: every result carries a kind, a one-line summary and CSV-ready tables (ResultBase);
// the kinds with runners add their own data, and ExperimentResult is their union, so a view narrows on `kind`.

/** A table every host can export as CSV (rows = records, like the original studies' outputs). */
export interface ResultTable {
  columns: string[];
  rows: (string | number | null)[][];
}

/** What every result carries, so hosts can store, summarise and export it without knowing the kind. */
export interface ResultBase {
  kind: string;
  summary: string;
  tables: Record<string, ResultTable>;
}
