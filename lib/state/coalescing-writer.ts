/**
 * Writes one changing value (an item's record) one write at a time: requests
 * that arrive while a write is in flight are served together by the next one,
 * which carries the value as it is when that write starts. It does not know
 * what the value is or where it goes; the caller passes `snapshot` and `write`.
 */
interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

export class CoalescingWriter<T> {
  readonly #snapshot: () => T;
  readonly #write: (value: T) => Promise<void>;
  #waiting: Waiter[] = [];
  #draining: Promise<void> | undefined;

  constructor(snapshot: () => T, write: (value: T) => Promise<void>) {
    this.#snapshot = snapshot;
    this.#write = write;
  }

  /** Resolves once a write that started after this call, so carries the value as it is now, has finished. */
  request(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  async #drain(): Promise<void> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0);
      try {
        // The snapshot is taken after the batch is cut, so it holds every change its waiters made.
        await this.#write(this.#snapshot());
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    this.#draining = undefined;
  }
}
