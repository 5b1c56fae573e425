/**
 * The global `crypto` the SDK's web-standard transport calls
 * (`crypto.randomUUID()` for every stream): Node 19 and later have it, the
 * bundle's Node 18 (Debian bookworm) does not, so it is set to node:crypto's
 * webcrypto when missing. The only process-global state the daemon touches;
 * it changes nothing where the global exists.
 */
import { webcrypto } from 'node:crypto';

export function ensureWebCrypto(): void {
  if ((globalThis as { crypto?: unknown }).crypto !== undefined) return;
  Object.defineProperty(globalThis, 'crypto', { value: webcrypto, configurable: true, writable: true, enumerable: false });
}
