/**
 * Runs the secret patterns' regexes under the push's deadline. A regex runs
 * synchronously, so a timer cannot fire while a slow one (a manifest pattern
 * that backtracks badly) runs; node:vm's `timeout` can stop it, so each
 * window is tested inside a vm call bounded by the time left. It does not
 * choose the patterns or the windows (secret-scan.ts does).
 */
import { createContext, Script } from 'node:vm';
import type { Deadline } from './deadline.js';
import { TimeLimitError } from './deadline.js';
import type { PatternTest } from '../common/secret-scan.js';
import { plainTest } from '../common/secret-scan.js';

export function timedTest(deadline: Deadline): PatternTest {
  const context = createContext({}) as { run?: () => void };
  const script = new Script('run()');
  return (patterns, text) => {
    deadline.check();
    let hits: ReturnType<PatternTest> = [];
    context.run = () => {
      hits = plainTest(patterns, text);
    };
    try {
      script.runInContext(context, { timeout: Math.max(1, Math.ceil(deadline.remainingMs())) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new TimeLimitError(deadline.limitMs, error);
      throw error;
    } finally {
      delete context.run;
    }
    return hits;
  };
}
