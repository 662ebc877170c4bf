// The verifier app and what its two entries (Workers, Node) need to build it.
export { createApp, createVerifier, type Mount, type Verifier, type VerifierDeps } from './app.tsx';
export { isStoreKey, LIST_NAMES, type ArtifactSource, type ListName } from './artifact-source.ts';
export { parseVerifierConfig, type SettingNames, type VerifierConfig, type VerifierSettings } from './config.ts';
export { DEFAULT_ENTRY_CACHE_BYTES } from './entry-cache.ts';
export { parseRootJwk } from './root.ts';
export { DEFAULT_TTL_MS } from './trust-cache.ts';
export { claimedSize, keepLog, parseSplitView, type KeptLog, type LogKeeper, type SplitView } from './log-keeper.ts';
export { isNewerRank, keepNewer, KEPT_SLOTS, LIST_SLOTS, listRank, type KeptLists, type KeptSlot, type ListRank, type ListRanks, type ListSlot, type TrustKeeper } from './trust-keeper.ts';
export { INSPECT_ASSET_DIR, INSPECT_CONTENT_TYPES, INSPECT_FILES, isInspectFile, type AssetSource, type InspectBuild, type InspectFile } from './inspect-assets.ts';
export { InboxUnavailable, type AddResult, type ReportInbox, type ReportInput, type ReportRecord } from './reports/inbox.ts';
export { forgetBefore, insertParams, mergeable, newReportId, ORPHAN_GRACE_MS, retentionCutoff, SQL, toRecord, type ReportRow } from './reports/sql.ts';
export { REPORT_RETENTION_DAYS } from './reports/api.ts';
export { INSPECTOR_RATE, MemoryRates, rateKind, REPORT_RATE, type RateAnswer, type RateKind, type RateLimit, type RateLimitOptions } from './reports/rate-limit.ts';
