/**
 * Reading a failed `smolvm` run. smolvm prints `Error: <message>` on stderr and
 * exits 1 [src/main.rs], with messages from the templates of its Error enum
 * [src/data/errors.rs]. A guest command can exit 1 too (`machine exec` exits
 * with the guest's code), so a failure is smolvm's own only when a stderr line
 * starts with `Error: ` followed by one of those templates.
 */
import { TaskError } from '../../engine/index.js';
import type { RunResult } from '../../process/run.js';

const TEMPLATES = [
  'vm creation failed: ',
  'vm not found: ',
  'hypervisor not available: ',
  'invalid vm state: ',
  'rootfs operation failed: ',
  'rootfs not found: ',
  'storage operation failed: ',
  'disk not found: ',
  'mount operation failed: ',
  'invalid mount path: ',
  'mount source not found: ',
  'config operation failed: ',
  'database operation failed: ',
  'database not available: ',
  "command '",
  'agent operation failed: ',
  'kvm not available: ',
  'kvm permission denied: ',
  'io operation failed: ',
];

/** smolvm's own error message (without `Error: `), or null when the failure is not smolvm's. */
export function smolvmErrorLine(stderr: string): string | null {
  for (const line of stderr.split('\n')) {
    const rest = line.startsWith('Error: ') ? line.slice('Error: '.length) : null;
    if (rest !== null && TEMPLATES.some((t) => rest.startsWith(t))) return rest.trim();
  }
  return null;
}

/** `Error: vm not found: NAME` [src/data/errors.rs VmNotFound], or the `status --json` form. */
export function isNotFound(stderr: string, name: string): boolean {
  const said = smolvmErrorLine(stderr);
  return said === `vm not found: ${name}` || said === `config operation failed: machine status: machine '${name}' not found`;
}

/** `machine create` on a taken name [src/cli/vm_common.rs CreateVmReservation]. */
export function isNameTaken(stderr: string, name: string): boolean {
  return smolvmErrorLine(stderr) === `config operation failed: create machine: machine '${name}' already exists or is being created`;
}

// The state DB busy, a VM's agent not answering yet: worth another attempt.
const TRANSIENT = /^(database not available|database operation failed: .*(locked|busy)|agent operation failed: connect: .*(timed out|refused|reset))/i;

export function smolvmError(binary: string, args: readonly string[], result: RunResult): TaskError {
  const what = `smolvm ${args.slice(0, 2).join(' ')}`;
  if (result.exitCode === -1 || /ENOENT/.test(result.stderr)) {
    return new TaskError(`the smolvm CLI could not be run (${binary}); install smolvm, set BOTTLE_SMOLVM to its path, or set BOTTLE_SMOLVM_URL to a smolvm serve API`, {
      code: 'SMOLVM_MISSING',
    });
  }
  const said = smolvmErrorLine(result.stderr) ?? (result.stderr.trim().split('\n').filter(Boolean).at(-1) || '(no output)');
  const transient = TRANSIENT.test(said);
  return new TaskError(`${what} failed (exit ${result.exitCode}): ${said}`, { code: transient ? 'SMOLVM_UNAVAILABLE' : 'SMOLVM_FAILED', transient });
}
