/**
 * A duration as people read a clock in a status line: whole seconds, then
 * minutes and seconds, then hours and minutes (`42s`, `3m07s`, `1h05m`).
 * For elapsed times and estimates, where tenths of a second would be noise;
 * a task's own time keeps its tenths (tty-look.ts `seconds`).
 */
export function durationText(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
