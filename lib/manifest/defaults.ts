/**
 * The defaults of a manifest. normalize.ts is the one place that fills them in;
 * the schema only quotes them in the JSON Schema it documents.
 */

export const MANIFEST_VERSION = 1;

/** Home of the guest user in our agent image; other images set `guestHome`. */
export const DEFAULT_GUEST_HOME = '/home/node';

/** The non-root user of our agent image (Claude Code refuses to skip permissions as root). */
export const DEFAULT_USER = 'node';

/** Where skills are looked up first, relative to the manifest's directory. */
export const DEFAULT_SKILLS_DIR = 'skills';

/** CPUs of the agent machine. */
export const DEFAULT_CPUS = 2;

/** Memory of the agent machine, MiB. */
export const DEFAULT_MEMORY_MIB = 4096;

/** Processes the agent machine may run at once. */
export const DEFAULT_PIDS = 4096;

/** The egress audit log is rotated past this size (MiB), keeping this many old files. */
export const DEFAULT_AUDIT_MAX_MIB = 64;
export const DEFAULT_AUDIT_KEEP = 2;

/** Connections the egress proxy holds open at once for one bottle. */
export const DEFAULT_MAX_CONNECTIONS = 256;

/** Seconds an egress connection may sit idle before the proxy closes it. */
export const DEFAULT_IDLE_TIMEOUT_S = 300;

/** Seconds the supervise service's `ask_human` waits for a human's answer. */
export const DEFAULT_ASK_TIMEOUT_S = 3600;

/** How bottles are placed on a manifest's hosts, and the default. */
export const PLACEMENTS = ['spread', 'pack'] as const;
export const DEFAULT_PLACEMENT = 'spread';

/** The most bottles one host may be given as its budget. */
export const MAX_HOST_BOTTLES = 10_000;

/** The name a manifest without `hosts:` gives the local engine. */
export const LOCAL_HOST = 'local';
