/**
 * Sessions that outlive the terminal, in the agent machine, with tmux (in
 * the agent image): the argv that starts one attached (or attaches to the
 * one of that name), starts one detached, attaches, and lists them. A
 * detached session keeps its window when its command ends
 * (`remain-on-exit`), so `bottle attach` still shows how a `-p` run ended.
 * Detaching is tmux's own key, Ctrl-b d. It runs nothing itself: the
 * commands in cli/ hand these argvs to the backend.
 */

/** The session `bottle claude` and `bottle attach` use when none is named. */
export const DEFAULT_SESSION = 'claude';

/** A tmux session name: tmux refuses `.` and `:` in one, and it goes on a command line. */
export const SESSION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Attach to `name`, or start it with `argv` first when there is none. */
export function attachOrStart(name: string, argv: readonly string[]): string[] {
  return ['tmux', 'new-session', '-A', '-s', name, '--', ...argv];
}

/** Start `name` running `argv` with no terminal; its window stays when `argv` ends. */
export function startDetached(name: string, argv: readonly string[]): string[] {
  return ['tmux', 'start-server', ';', 'set-option', '-g', 'remain-on-exit', 'on', ';', 'new-session', '-d', '-x', '200', '-y', '50', '-s', name, '--', ...argv];
}

export function attach(name: string): string[] {
  return ['tmux', 'attach-session', '-t', `=${name}`];
}

export function hasSession(name: string): string[] {
  return ['tmux', 'has-session', '-t', `=${name}`];
}

/** One line per session: `<name> <running|ended>`; exit 1 (and "no server") when there is none. */
export const LIST_SESSIONS = ['tmux', 'list-sessions', '-F', '#{session_name} #{?pane_dead,ended,running}'];

export interface SessionState {
  name: string;
  running: boolean;
}

/** What LIST_SESSIONS printed. */
export function parseSessions(stdout: string): SessionState[] {
  return stdout
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter((parts) => parts.length === 2 && SESSION_NAME.test(parts[0]!))
    .map(([name, state]) => ({ name: name!, running: state === 'running' }));
}
