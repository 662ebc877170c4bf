// Where the verifier reads published artifacts from: the two entries implement this (Workers
// KV and R2, or an edge directory on Node), under core's store keys (isStoreKey): the lists,
// `licence/{serial}/{r}` entries and `bundle[/{region}]`. Any other key is null without the
// store being asked.

export { isStoreKey, LIST_NAMES, type ListName } from '../core/index.ts';

export interface ArtifactSource {
  /** A text artifact as published, or null when it is not. Throws only when the store fails. */
  getText(key: string): Promise<string | null>;
  /**
   * A binary artifact (a bundle) as published, or null. A stream where the store has one (R2):
   * a bundle for a large programme is passed on, never held whole in memory.
   */
  getBytes(key: string): Promise<Uint8Array | ReadableStream<Uint8Array> | null>;
}
