// Where the verifier reads published artifacts from: the two entries implement this (Workers
// KV, or an edge directory on Node), under core's fixed artifact names.

import type { ArtifactName } from '../core/index.ts';

export { ARTIFACT_NAMES, type ArtifactName } from '../core/index.ts';

export interface ArtifactSource {
  /** The artifact's text as published, or null when it is not published. Throws only when the store fails. */
  get(name: ArtifactName): Promise<string | null>;
}
