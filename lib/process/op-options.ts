/** What every operation that runs something takes: the task's signal (aborts it) and its log (receives what it printed). */
export interface OpOptions {
  signal?: AbortSignal;
  log?: (line: string) => void;
}
