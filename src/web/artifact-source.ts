// Where the verifier reads published artifacts from: the two entries implement this (Workers
// KV, or an edge directory on Node). The names are DESIGN §3's fixed publishing keys.

export const ARTIFACT_NAMES = ['key-list', 'status-list', 'register', 'bundle', 'revoked-inspectors'] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];

export interface ArtifactSource {
  /** The artifact's text as published, or null when it is not published. Throws only when the store fails. */
  get(name: ArtifactName): Promise<string | null>;
}
