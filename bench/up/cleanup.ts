/**
 * What the bench must undo, whatever happens: steps are added as things are
 * made and run last-added first. A failing step is reported and the next one
 * still runs; `run` never throws, so it can sit in a `finally`.
 */

export interface CleanupStep {
  what: string;
  run: () => Promise<unknown>;
}

export class Cleanup {
  readonly #steps: CleanupStep[] = [];

  add(what: string, run: () => Promise<unknown>): void {
    this.#steps.push({ what, run });
  }

  /** Runs every step once, newest first; returns the ones that failed, with why. */
  async run(log: (line: string) => void): Promise<string[]> {
    const failed: string[] = [];
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        failed.push(`${step.what}: ${why}`);
        log(`cleanup: ${step.what} failed: ${why}`);
      }
    }
    return failed;
  }
}
