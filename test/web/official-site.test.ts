// The page names the configured official verify site, and never the request's own host: a
// look-alike domain proxying the verifier must not be presented as official.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/web/index.ts';
import { edgeWithEveryOutcome, memorySource, T0, type Edge } from './fixtures.ts';

let edge: Edge;
beforeAll(async () => {
  edge = await edgeWithEveryOutcome();
});

async function page(verifyOrigin: string | null): Promise<string> {
  const app = createApp({ source: memorySource(edge.artifacts), root: edge.rootJwk, clock: () => T0, verifyOrigin, log: () => {} });
  return (await app.request(`http://qdyp-verify.look-alike.example/V/${edge.seals.authorized}`)).text();
}

describe('the official verify site on the page', () => {
  it('names the configured origin', async () => {
    const html = await page('https://verify.qdyp.example');
    expect(html).toContain('verify.qdyp.example');
    expect(html).not.toContain('look-alike');
  });

  it('names none when unconfigured, rather than the Host the request came with', async () => {
    const html = await page(null);
    expect(html).toContain('正品授权');
    expect(html).not.toContain('look-alike');
  });
});
