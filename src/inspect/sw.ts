// The inspector page's service worker, registered with scope `/inspect` (the verifier sends
// `Service-Worker-Allowed: /inspect` with it), so it controls the page itself and not only
// `/inspect/…`. It caches the app shell and the decoder at install, serves them from the cache
// (a new build comes with a new version and replaces them whole), and serves the page network
// first with the cached copy when offline. It never caches the API: trust data lives in the
// page's IndexedDB, verified there, with its age shown.

declare const __QDYP_VERSION__: string;
declare const __QDYP_PRECACHE__: string[];

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response> | Response): void;
}
interface ServiceWorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}

const sw = self as unknown as ServiceWorkerScope;
const CACHE = `qdyp-inspect-${__QDYP_VERSION__}`;
const PAGE = '/inspect';
const ASSETS = new Set(__QDYP_PRECACHE__);

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll([PAGE, ...ASSETS].map((path) => new Request(path, { cache: 'reload', credentials: 'omit' })));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('qdyp-inspect-') && name !== CACHE) await caches.delete(name);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (url.pathname === PAGE) {
    event.respondWith(pageNetworkFirst(request));
  } else if (ASSETS.has(url.pathname)) {
    event.respondWith(cacheFirst(url.pathname));
  }
});

/** How long the page waits for the network, with poor signal, before the cached copy is used. */
const PAGE_TIMEOUT_MS = 3500;

/** The page: the network's copy when it answers in time (kept for next time), else the cached one. */
async function pageNetworkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(PAGE, { ignoreSearch: true });
  const network = fetch(request, { cache: 'no-cache' }).then(async (response) => {
    if (response.ok) await cache.put(PAGE, response.clone());
    return response;
  });
  if (!cached) return network;
  const late = new Promise<Response>((resolve) => setTimeout(() => resolve(cached), PAGE_TIMEOUT_MS));
  return Promise.race([network.catch(() => cached), late]);
}

async function cacheFirst(path: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(path);
  if (cached) return cached;
  const response = await fetch(path);
  if (response.ok) await cache.put(path, response.clone());
  return response;
}
