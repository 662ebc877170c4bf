// The verifier app and what its two entries (Workers, Node) need to build it.
export { createApp, type Mount, type VerifierDeps } from './app.tsx';
export { ARTIFACT_NAMES, type ArtifactName, type ArtifactSource } from './artifact-source.ts';
export { parseVerifierConfig, type SettingNames, type VerifierConfig, type VerifierSettings } from './config.ts';
export { parseRootJwk } from './root.ts';
export { DEFAULT_TTL_MS } from './trust-cache.ts';
