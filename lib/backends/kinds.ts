/** The backends there are, by name: what a manifest's `backend` may say and what the registry implements. */
export const BACKEND_KINDS = ['docker', 'smolvm'] as const;

export type BackendKind = (typeof BACKEND_KINDS)[number];
