// The verifier app and what its two entries (Workers, Node) need to build it.
export { createApp, type Mount, type VerifierDeps } from './app.tsx';
export { isStoreKey, LIST_NAMES, type ArtifactSource, type ListName } from './artifact-source.ts';
export { parseVerifierConfig, type SettingNames, type VerifierConfig, type VerifierSettings } from './config.ts';
export { DEFAULT_ENTRY_CACHE_BYTES } from './entry-cache.ts';
export { parseRootJwk } from './root.ts';
export { DEFAULT_TTL_MS } from './trust-cache.ts';
export { isNewerRank, keepNewer, LIST_SLOTS, listRank, type KeptLists, type ListRank, type ListRanks, type ListSlot, type TrustKeeper } from './trust-keeper.ts';
export { INSPECT_ASSET_DIR, INSPECT_CONTENT_TYPES, INSPECT_FILES, isInspectFile, type AssetSource, type InspectBuild, type InspectFile } from './inspect-assets.ts';
