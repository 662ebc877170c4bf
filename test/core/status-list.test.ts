import { getListFromStatusListJWT, getStatusListFromJWT } from '@sd-jwt/jwt-status-list';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTrustContext, decodeStatusListClaims, signStatusList, STATUS_LIFETIME_S, STATUS_TTL_S, STATUS_VALUE, statusAt } from '../../src/core/index.ts';
import { newProgramme, publish, T0, type Programme } from '../support/programme.ts';

const URI = 'https://verify.qdyp.example/api/v1/status-list';
let p: Programme;

beforeAll(async () => {
  p = await newProgramme();
});

/** A small deterministic generator, so the "random" list is the same in every run. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('status list', () => {
  it('statuses round-trip through @sd-jwt/jwt-status-list’s own reader', async () => {
    const statuses = [0, STATUS_VALUE.valid, STATUS_VALUE.revoked, STATUS_VALUE.suspended, 0, 1, 2, 2, 1];
    const jwt = await signStatusList(statuses, { uri: URI, time: T0 }, p.keys[0]!.signer);
    const list = getListFromStatusListJWT(jwt);
    expect(statuses.map((_, i) => list.getStatus(i))).toEqual(statuses);
    expect(list.getBitsPerStatus()).toBe(2);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'EdDSA', typ: 'statuslist+jwt', kid: p.keys[0]!.signer.kid });
    const iat = T0.getTime() / 1000;
    expect(decodeJwt(jwt)).toMatchObject({ sub: URI, iat, exp: iat + STATUS_LIFETIME_S, ttl: STATUS_TTL_S });
    expect(STATUS_LIFETIME_S).toBe(14 * 24 * 60 * 60);
  });

  it('a licence’s status reference resolves through the library too', async () => {
    const jwt = await signStatusList([0, 0, 0, 2], { uri: URI, time: T0 }, p.keys[0]!.signer);
    const reference = { status: { status_list: { idx: 3, uri: URI } } };
    const fakeCredential = `e30.${btoa(JSON.stringify(reference)).replace(/=+$/, '')}.`;
    expect(getStatusListFromJWT(fakeCredential)).toEqual({ idx: 3, uri: URI });
    expect(getListFromStatusListJWT(jwt).getStatus(3)).toBe(STATUS_VALUE.suspended);
  });

  it('decodes what it signed, and says null past the end of the list', async () => {
    const jwt = await signStatusList([0, 1, 2], { uri: URI, time: T0 }, p.keys[0]!.signer);
    const decoded = decodeStatusListClaims(decodeJwt(jwt));
    // The format counts whole bytes: three 2-bit entries publish four (the fourth valid). A
    // serial there is still missing from the register, so it verifies as cannot_confirm.
    expect([0, 1, 2, 3, 4].map((i) => statusAt(decoded, i))).toEqual([0, 1, 2, 0, null]);
    expect(decoded).toMatchObject({ iat: T0.getTime() / 1000, ttl: 60 });
  });

  it('refuses claims that are not a 2-bit list', async () => {
    const claims = decodeJwt(await signStatusList([0, 1], { uri: URI, time: T0 }, p.keys[0]!.signer)) as Record<string, unknown>;
    const list = claims.status_list as { bits: number; lst: string };
    for (const bad of [
      { ...claims, status_list: { ...list, bits: 1 } },
      { ...claims, status_list: { ...list, lst: '!!not-deflate!!' } },
      { ...claims, iat: '2026-11-27' },
      // A safe integer, but no Date can hold it: must not reach a verdict's "status as of".
      { ...claims, iat: 9e12 },
      null,
    ]) {
      expect(() => decodeStatusListClaims(bad)).toThrow(expect.objectContaining({ code: 'ERR_ARTIFACT_MALFORMED' }));
    }
  });

  it('the trust context reads a published list', async () => {
    const ctx = await buildTrustContext(await publish(p), { root: p.root });
    expect(ctx.statusList).toMatchObject({ iat: T0.getTime() / 1000, ttl: STATUS_TTL_S });
  });

  it('100,000 licences with 1% revoked at random sign to at most 3.5 KB (P4)', async () => {
    const random = mulberry32(2026);
    const statuses = new Uint8Array(100_000);
    let revoked = 0;
    while (revoked < 1000) {
      const i = Math.floor(random() * statuses.length);
      if (statuses[i] === 0) {
        statuses[i] = STATUS_VALUE.revoked;
        revoked++;
      }
    }
    const jwt = await signStatusList(statuses, { uri: URI, time: T0 }, p.keys[0]!.signer);
    expect(jwt.length).toBeLessThanOrEqual(3584);
    const list = getListFromStatusListJWT(jwt);
    for (let i = 0; i < statuses.length; i += 997) expect(list.getStatus(i)).toBe(statuses[i]);
  });
});
