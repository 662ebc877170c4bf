// The published artifacts' vocabulary (DESIGN §3): the fixed names they are published under
// (Workers KV keys, and the file names of an edge directory), and where the status list lives.

export const ARTIFACT_NAMES = ['key-list', 'status-list', 'register', 'bundle', 'revoked-inspectors'] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];

/** The status list's URI for a verify origin: its `sub`, and the `uri` of every seal's status claim. */
export function statusListUri(origin: string): string {
  return `${origin.toLowerCase()}/api/v1/status-list`;
}
