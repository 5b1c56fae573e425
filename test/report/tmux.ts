/**
 * A tmux pane for the display's real-terminal tests: a server of its own
 * (its own socket, so the user's tmux is never touched), one session of the
 * given size running a bare bash in the repository. The pane is read with
 * `capture-pane`; waits are bounded polls on what it shows, never fixed
 * sleeps.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { REPO } from '../helpers/cli.js';

export interface Pane {
  /** Types `command` and Enter. */
  type(command: string): void;
  /** Sends a key, e.g. `C-c`. */
  key(key: string): void;
  /** What the pane shows now. */
  screen(): string;
  /** The scrollback and the screen, oldest line first. */
  transcript(): string;
  /** Lines scrolled off the top of the pane so far. */
  historySize(): number;
  /** The screen once `ok` holds for it: checked every 100 ms, for at most `ms`. */
  when(ok: (screen: string) => boolean, what: string, ms?: number): Promise<string>;
  close(): void;
}

export function openPane(name: string, columns: number, rows: number): Pane {
  const socket = `bottle-${name}-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), '-c', REPO, '-e', 'HISTFILE=/dev/null', 'bash --norc --noprofile');
  const socketPath = tmux('display-message', '-p', '-t', name, '#{socket_path}').trim();
  const screen = () => tmux('capture-pane', '-p', '-t', name);
  return {
    type: (command) => void tmux('send-keys', '-t', name, command, 'Enter'),
    key: (key) => void tmux('send-keys', '-t', name, key),
    screen,
    transcript: () => tmux('capture-pane', '-p', '-t', name, '-S', '-', '-E', '-'),
    historySize: () => Number(tmux('display-message', '-p', '-t', name, '#{history_size}').trim()),
    async when(ok, what, ms = 15_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const shown = screen();
        if (ok(shown)) return shown;
        if (Date.now() > deadline) throw new Error(`the pane never showed ${what}; it shows:\n${shown}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close() {
      try {
        tmux('kill-session', '-t', name);
      } finally {
        // The server exits with its last session; its socket file stays behind.
        if (socketPath) rmSync(socketPath, { force: true });
      }
    },
  };
}

/** The lines of a captured screen, without the spaces tmux pads them with. */
export function linesOf(screen: string): string[] {
  return screen.split('\n').map((l) => l.trimEnd());
}
