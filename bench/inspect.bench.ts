// P10: what the inspector page costs a phone on its first visit, as transferred (gzip, as the
// Node verifier sends it and Cloudflare's edge would), without the trust bundle: the shell
// (page, script, service worker, manifest, icon) and the decoder (its worker script and wasm).
// Then whether both are cached after: the page opened again with the network off, in headless
// Chromium, must load and decode a label from the service worker's cache alone.
//
//   P10 inspect_shell_bytes=… decoder_bytes=… cached_offline=1 second_visit_requests=0
// Bars (DESIGN §6): shell ≤ 100 KB, decoder ≤ 1.2 MB, both cached after.
import { execFileSync } from 'node:child_process';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../src/node/server.ts';
import QRCode from 'qrcode';
import { writeEdgeDir } from '../test/web/edge-dir.ts';
import { edgeWithEveryOutcome } from '../test/web/fixtures.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function transferred(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
    }).on('error', reject);
  });
}

export default async function inspectBench(): Promise<void> {
  execFileSync('npx', ['tsx', 'scripts/build-inspect.ts', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  const edge = await edgeWithEveryOutcome();
  const edgeDir = await writeEdgeDir(edge.artifacts);
  const server = await startServer({ port: 0, edgeDir, rootJwk: edge.rootJwk, verifyOrigin: 'https://verify.example.cn', log: () => {} });
  try {
    const shellFiles = ['/inspect', '/inspect/app.js', '/inspect/sw.js', '/inspect/manifest.webmanifest', '/inspect/icon.svg'];
    const decoderFiles = ['/inspect/decoder.js', '/inspect/zxing_reader.wasm'];
    let shell = 0;
    for (const path of shellFiles) shell += await transferred(`${server.url}${path}`);
    let decoder = 0;
    for (const path of decoderFiles) decoder += await transferred(`${server.url}${path}`);

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    let cached = 0;
    let secondVisitRequests = -1;
    try {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/inspect`);
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      await context.setOffline(true);
      const requests: string[] = [];
      page.on('requestfailed', (r) => requests.push(r.url()));
      await page.reload();
      // A code that is not a seal of this programme is enough to prove the decoder ran offline.
      const png = await QRCode.toBuffer('https://example.com/a-label');
      await page.setInputFiles('#photo', { name: 'label.png', mimeType: 'image/png', buffer: png });
      await page.waitForSelector('.result[data-outcome="foreign"]', { timeout: 30_000 });
      cached = (await page.evaluate(() => !!navigator.serviceWorker.controller)) ? 1 : 0;
      // Syncs (the lists, and the log's checkpoint and tiles) fail offline by design: the shell must not.
      secondVisitRequests = requests.filter((u) => !u.includes('/api/') && !new URL(u).pathname.startsWith('/log/')).length;
    } finally {
      await browser.close();
    }
    console.log(`P10 inspect_shell_bytes=${shell} decoder_bytes=${decoder} cached_offline=${cached} second_visit_failed_requests=${secondVisitRequests}`);
  } finally {
    await server.close();
  }
}
