import { base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildTrustContext,
  createSeal,
  ED25519_ENGINES,
  OUTCOMES,
  RawVerifyKey,
  rootTrust,
  verifyLicenceDocument,
  verifySeal,
  type Outcome,
  type TrustArtifacts,
  type TrustContext,
  type TrustOptions,
} from '../../src/core/index.ts';
import { issue, newKey, newProgramme, publish, T0, type Programme } from '../support/programme.ts';

const DAY = 24 * 60 * 60 * 1000;

// Every scenario runs under both Ed25519 engines: the same expectations, so the same verdicts.
describe.each(ED25519_ENGINES)('with the %s engine', (engine) => {
  let p: Programme;
  let ctx: TrustContext;
  let trust: (artifacts: TrustArtifacts, options?: Partial<TrustOptions>) => Promise<TrustContext>;

  beforeAll(async () => {
    p = await newProgramme();
    const root = await rootTrust(p.rootJwk, engine);
    trust = (artifacts, options = {}) => buildTrustContext(artifacts, { root, engine, ...options });
    await issue(p, 1);
    await issue(p, 2, { status: 'suspended', statusReason: '抽检不合格' });
    await issue(p, 3, { status: 'revoked', statusReason: '冒用' });
    await issue(p, 4, { validFrom: '2020-01-01', validUntil: '2025-12-31' });
    await issue(p, 5, { validFrom: '2027-01-01', validUntil: '2029-12-31' });
    ctx = await trust(await publish(p));
  });

  it('verifies through the engine it was asked for', () => {
    const key = ctx.keyList!.bySid.get(p.keys[0]!.signer.sid)!.key;
    expect(key instanceof RawVerifyKey).toBe(engine === 'noble');
  });

  async function code(seal: string, time = T0, context = ctx): Promise<Outcome> {
    return (await verifySeal(seal, time, context)).code;
  }

  describe('verifySeal reaches every outcome', () => {
    const reached = new Set<Outcome>();
    const expectCode = async (seal: string, want: Outcome, time = T0, context = ctx) => {
      expect(await code(seal, time, context)).toBe(want);
      reached.add(want);
    };

    it('authorized, with the licence and status time', async () => {
      const v = await verifySeal(p.seals.get(1)!, T0, ctx);
      expect(v).toMatchObject({ code: 'authorized', authorized: true, statusAsOf: T0.toISOString(), checkedAt: T0.toISOString() });
      expect(v.licence).toMatchObject({ number: 'QDYP-2026-000001', status: 'valid', products: ['海参礼盒'] });
      reached.add('authorized');
    });

    it('suspended and revoked come from the status list, with the reason', async () => {
      await expectCode(p.seals.get(2)!, 'suspended');
      await expectCode(p.seals.get(3)!, 'revoked');
      const v = await verifySeal(p.seals.get(3)!, T0, ctx);
      expect(v.licence).toMatchObject({ status: 'revoked', statusReason: '冒用' });
      expect(v.authorized).toBe(false);
    });

    it('expired and not yet valid come from the register, in China Standard Time', async () => {
      await expectCode(p.seals.get(4)!, 'expired');
      await expectCode(p.seals.get(5)!, 'not_yet_valid');
      // 2027-01-01 00:30 in Beijing is still 2026-12-31 in UTC: the licence has started.
      const later = await trust(await publish(p, { time: new Date('2026-12-30T00:00:00Z') }));
      await expectCode(p.seals.get(5)!, 'authorized', new Date('2026-12-31T16:30:00Z'), later);
      await expectCode(p.seals.get(5)!, 'not_yet_valid', new Date('2026-12-31T15:59:59Z'), later);
    });

    it('a seal past its horizon is expired', async () => {
      const seal = await createSeal({ serial: 1, horizon: '2026-11-26' }, p.keys[0]!.signer);
      await expectCode(seal, 'expired');
    });

    it('unknown_key for a key not in the list; bad_signature for a tampered seal', async () => {
      const stranger = await newKey();
      await expectCode(await createSeal({ serial: 1, horizon: '2040-01-01' }, stranger.signer), 'unknown_key');
      // Same short id, other key: the signature cannot hold.
      await expectCode(await createSeal({ serial: 1, horizon: '2040-01-01' }, { ...stranger.signer, sid: p.keys[0]!.signer.sid }), 'bad_signature');
    });

    it('key_compromised shows no holder data', async () => {
      const keys = p.keys.map((k) => ({ ...k.record, status: 'compromised' as const }));
      const good = await newKey();
      const compromised = await trust(await publish(p, { keys: [...keys, good.record], issuer: good, version: 2 }));
      const v = await verifySeal(p.seals.get(1)!, T0, compromised);
      expect(v).toMatchObject({ code: 'key_compromised', licence: null });
      reached.add('key_compromised');
    });

    it('malformed for non-seals', async () => {
      await expectCode('', 'malformed');
      await expectCode('A'.repeat(120), 'malformed');
      await expectCode(`${p.seals.get(1)!}=`, 'malformed');
    });

    it('cannot_confirm when status data is missing or stale', async () => {
      const artifacts = await publish(p);
      const noStatus = await trust({ ...artifacts, statusList: null });
      await expectCode(p.seals.get(1)!, 'cannot_confirm', T0, noStatus);
      expect(noStatus.problems).toEqual([expect.objectContaining({ artifact: 'statusList', code: 'ERR_ARTIFACT_MISSING' })]);
      // Fourteen days after publishing the status list expires.
      await expectCode(p.seals.get(1)!, 'cannot_confirm', new Date(T0.getTime() + 14 * DAY));
      await expectCode(p.seals.get(1)!, 'authorized', new Date(T0.getTime() + 14 * DAY - 1000));
      // A serial missing from the register.
      await expectCode(await createSeal({ serial: 9, horizon: '2040-01-01' }, p.keys[0]!.signer), 'cannot_confirm');
    });

    it('covers every code', () => {
      expect([...reached].sort()).toEqual([...OUTCOMES].sort());
    });
  });

  describe('holder data is shown only where the signature held under a trusted key', () => {
    it.each([
      ['authorized', 1],
      ['suspended', 2],
      ['revoked', 3],
      ['expired', 4],
      ['not_yet_valid', 5],
    ] as const)('%s shows the licence', async (want, serial) => {
      const v = await verifySeal(p.seals.get(serial)!, T0, ctx);
      expect(v.code).toBe(want);
      expect(v.licence?.number).toBe(`QDYP-2026-00000${serial}`);
    });

    it('bad_signature and unknown_key show none', async () => {
      const forged = await createSeal({ serial: 1, horizon: '2040-01-01' }, { ...(await newKey()).signer, sid: p.keys[0]!.signer.sid });
      expect((await verifySeal(forged, T0, ctx)).licence).toBeNull();
    });
  });

  describe('the key list is the only way to trust a key', () => {
    it('refuses a key list signed by a key other than the pinned root', async () => {
      const impostor = await newKey();
      const c = await trust(await publish(p, { keyListSigner: impostor.signer }));
      expect(c.keyList).toBeNull();
      expect(c.problems[0]).toMatchObject({ artifact: 'keyList', code: 'ERR_ARTIFACT_SIGNATURE' });
      expect(await code(p.seals.get(1)!, T0, c)).toBe('cannot_confirm');
    });

    it('refuses an expired key list', async () => {
      const old = new Date(T0.getTime() - 366 * DAY);
      const keys = p.keys.map((k) => ({ ...k.record, signFrom: '2020-01-01' }));
      const c = await trust(await publish(p, { time: old, keys }));
      expect(await code(p.seals.get(1)!, T0, c)).toBe('cannot_confirm');
      expect(await code(p.seals.get(1)!, new Date(old.getTime() + 13 * DAY), c)).not.toBe('cannot_confirm');
    });

    it('refuses a lower version than one already seen', async () => {
      const c = await trust(await publish(p, { version: 3 }), { minKeyListVersion: 4 });
      expect(c.keyList).toBeNull();
      expect(c.problems[0]).toMatchObject({ code: 'ERR_KEY_LIST_ROLLBACK' });
      expect((await trust(await publish(p, { version: 4 }), { minKeyListVersion: 4 })).keyList?.version).toBe(4);
    });

    it('a valid signature by an issuing key missing from the list is unknown_key', async () => {
      const other = await newKey();
      const c = await trust(await publish(p, { keys: [other.record], issuer: other }));
      expect(await code(p.seals.get(1)!, T0, c)).toBe('unknown_key');
    });

    it('a status list signed by an unlisted key is ignored', async () => {
      const other = await newKey();
      const c = await trust(await publish(p, { issuer: other }));
      expect(c.statusList).toBeNull();
      expect(await code(p.seals.get(1)!, T0, c)).toBe('cannot_confirm');
    });

    it('a retired key still verifies what it signed', async () => {
      const next = await newKey();
      const keys = [{ ...p.keys[0]!.record, status: 'retired' as const }, next.record];
      const c = await trust(await publish(p, { keys, issuer: next }));
      expect(await code(p.seals.get(1)!, T0, c)).toBe('authorized');
    });

    it('a retired key cannot sign status: it could un-revoke a licence', async () => {
      const next = await newKey();
      const keys = [{ ...p.keys[0]!.record, status: 'retired' as const }, next.record];
      const c = await trust(await publish(p, { keys, issuer: p.keys[0]! }));
      expect(c.statusList).toBeNull();
      expect(c.problems).toContainEqual(expect.objectContaining({ artifact: 'statusList', code: 'ERR_KEY_NOT_SIGNING' }));
      expect(await code(p.seals.get(1)!, T0, c)).toBe('cannot_confirm');
    });

    it('status signed outside the key\'s signing window, or dated in the future, is not used', async () => {
      const late = new Date('2029-01-01T00:00:00Z'); // after signUntil (two years from T0)
      const outside = await trust(await publish(p, { time: late }));
      expect(outside.problems).toContainEqual(expect.objectContaining({ artifact: 'statusList', code: 'ERR_KEY_NOT_SIGNING' }));
      const ahead = await trust(await publish(p, { time: new Date(T0.getTime() + DAY) }));
      expect(await code(p.seals.get(1)!, T0, ahead)).toBe('cannot_confirm');
      expect(await code(p.seals.get(1)!, new Date(T0.getTime() + DAY), ahead)).toBe('authorized');
    });
  });

  describe('verifyLicenceDocument', () => {
    it('verifies the document by the same policy', async () => {
      const v = await verifyLicenceDocument(p.documents.get(1)!, T0, ctx);
      expect(v).toMatchObject({ code: 'authorized', document: { number: 'QDYP-2026-000001' } });
      expect((await verifyLicenceDocument(p.documents.get(3)!, T0, ctx)).code).toBe('revoked');
    });

    it('rejects a tampered payload as bad_signature and garbage as malformed', async () => {
      const [h, , s] = p.documents.get(1)!.split('.');
      const payload = base64url.encode(JSON.stringify({ number: 'QDYP-2026-000001', products: ['别的'] }));
      expect((await verifyLicenceDocument(`${h}.${payload}.${s}`, T0, ctx)).code).toBe('bad_signature');
      expect((await verifyLicenceDocument('not.a.jws', T0, ctx)).code).toBe('malformed');
      expect((await verifyLicenceDocument(p.seals.get(1)!, T0, ctx)).code).toBe('malformed');
    });
  });
});
