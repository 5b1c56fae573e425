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
