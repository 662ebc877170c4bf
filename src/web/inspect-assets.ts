// The inspector page's built files (scripts/build-inspect.ts writes them to
// dist/public/inspect/): what they are, and where each runtime reads them from (the Node
// verifier from that directory, Workers from its static-assets binding).

/** The build's output directory, relative to the repository root (wrangler.toml's [assets]). */
export const INSPECT_ASSET_DIR = 'dist/public';

/** Every file the build writes and the verifier serves under /inspect/ (all cached offline). */
export const INSPECT_FILES = ['app.js', 'decoder.js', 'zxing_reader.wasm', 'manifest.webmanifest', 'icon.svg', 'sw.js'] as const;
export type InspectFile = (typeof INSPECT_FILES)[number];

export const INSPECT_CONTENT_TYPES: Record<InspectFile, string> = {
  'app.js': 'text/javascript; charset=UTF-8',
  'decoder.js': 'text/javascript; charset=UTF-8',
  'sw.js': 'text/javascript; charset=UTF-8',
  'zxing_reader.wasm': 'application/wasm',
  'manifest.webmanifest': 'application/manifest+json',
  'icon.svg': 'image/svg+xml',
};

/** build.json: the build's version (its files' hash) and each file's size and digest. */
export interface InspectBuild {
  version: string;
  files: Partial<Record<InspectFile, { bytes: number; sha256: string }>>;
}

export function isInspectFile(name: string): name is InspectFile {
  return (INSPECT_FILES as readonly string[]).includes(name);
}

/** Reads one built file; null when it is not there (the page was not built). */
export interface AssetSource {
  get(name: InspectFile): Promise<{ body: BodyInit; etag: string | null } | null>;
}
