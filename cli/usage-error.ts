/** A mistake in how bottle was called (exit code 2): one sentence saying what to do. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
