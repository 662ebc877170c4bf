// One parser for the verifier's settings, shared by the Worker, `qdyp serve` and `qdyp verify`:
// a bad setting is left out and described, never thrown, and never echoed.
import { describe, expect, it } from 'vitest';
import { parseVerifierConfig } from '../../src/web/index.ts';

const X = 'B'.repeat(43);
const D = 'S'.repeat(43);
const root = { kty: 'OKP', crv: 'Ed25519', x: X };
const reportKey = { kty: 'OKP', crv: 'X25519', x: X };

describe('parseVerifierConfig', () => {
  it('parses every setting, and keeps only what the verifier needs', () => {
    expect(
      parseVerifierConfig({
        rootJwk: JSON.stringify({ ...root, kid: 'root-1', use: 'sig' }),
        verifyOrigin: 'https://verify.example.cn/V/',
        minKeyListVersion: '3',
        reportKeyJwk: JSON.stringify({ ...reportKey, kid: 'office-contact', use: 'enc' }),
      }),
    ).toEqual({ root, verifyOrigin: 'https://verify.example.cn', minKeyListVersion: 3, contactKey: reportKey, problems: [] });
  });

  it('treats absent and empty settings as not set, which is no problem', () => {
    const unset = { root: null, verifyOrigin: null, minKeyListVersion: undefined, contactKey: null, problems: [] };
    expect(parseVerifierConfig({})).toEqual(unset);
    expect(parseVerifierConfig({ rootJwk: ' \n', verifyOrigin: '', minKeyListVersion: '' })).toEqual(unset);
    expect(parseVerifierConfig({ rootJwk: null, verifyOrigin: null, minKeyListVersion: null })).toEqual(unset);
  });

  it('leaves out each bad setting and names it by its variable', () => {
    expect(parseVerifierConfig({ rootJwk: '{', verifyOrigin: 'verify.example.cn', minKeyListVersion: '0' })).toEqual({
      root: null,
      verifyOrigin: null,
      minKeyListVersion: undefined,
      contactKey: null,
      problems: [
        'QDYP_ROOT_JWK is not a JSON Web Key',
        'QDYP_VERIFY_ORIGIN is not an http(s) origin',
        'QDYP_MIN_KEY_LIST_VERSION is not a positive whole number',
      ],
    });
  });

  it('refuses a root that is not an Ed25519 public key', () => {
    for (const jwk of [{ ...root, crv: 'X25519' }, { ...root, x: 'short' }, { kty: 'RSA', n: 'AQAB', e: 'AQAB' }, [root], 'root', 7, null]) {
      expect(parseVerifierConfig({ rootJwk: JSON.stringify(jwk) }).problems, JSON.stringify(jwk)).toEqual(['QDYP_ROOT_JWK is not an Ed25519 public JWK']);
    }
  });

  it('refuses a private key as the root, whatever else is in it, without echoing it', () => {
    for (const jwk of [{ ...root, d: D }, { kty: 'RSA', d: D }]) {
      const config = parseVerifierConfig({ rootJwk: JSON.stringify(jwk) });
      expect(config.root).toBeNull();
      expect(config.problems).toEqual(['QDYP_ROOT_JWK is a private key: the pinned root must be the root\'s public JWK (without "d")']);
      expect(config.problems.join()).not.toContain(D);
    }
  });

  it('takes the office\'s X25519 public key for contacts, and refuses a private one without echoing it', () => {
    expect(parseVerifierConfig({ reportKeyJwk: ' ' }).contactKey).toBeNull();
    for (const jwk of [{ ...reportKey, d: D }, { kty: 'OKP', crv: 'X25519', d: D }]) {
      const config = parseVerifierConfig({ reportKeyJwk: JSON.stringify(jwk) });
      expect(config.contactKey).toBeNull();
      expect(config.problems).toEqual(['QDYP_REPORT_KEY_JWK is a private key: the edge must be given only the office\'s public X25519 JWK (without "d")']);
      expect(config.problems.join()).not.toContain(D);
    }
    for (const jwk of [root, { ...reportKey, x: 'short' }, [reportKey], 'key']) {
      expect(parseVerifierConfig({ reportKeyJwk: JSON.stringify(jwk) }).problems, JSON.stringify(jwk)).toEqual(['QDYP_REPORT_KEY_JWK is not an X25519 public JWK (kty OKP, crv X25519)']);
    }
    expect(parseVerifierConfig({ reportKeyJwk: '{' }).problems).toEqual(['QDYP_REPORT_KEY_JWK is not a JSON Web Key']);
  });

  it('accepts only http(s) origins, and only the origin of a longer URL', () => {
    expect(parseVerifierConfig({ verifyOrigin: 'http://127.0.0.1:8080' }).verifyOrigin).toBe('http://127.0.0.1:8080');
    expect(parseVerifierConfig({ verifyOrigin: 'https://verify.example.cn:443/x?y#z' }).verifyOrigin).toBe('https://verify.example.cn');
    for (const bad of ['ftp://verify.example.cn', 'javascript:alert(1)', '//verify.example.cn', 'https://']) {
      expect(parseVerifierConfig({ verifyOrigin: bad }).problems, bad).toEqual(['QDYP_VERIFY_ORIGIN is not an http(s) origin']);
    }
  });

  it('accepts a key-list floor of 1 to 999999999 written plainly', () => {
    expect(parseVerifierConfig({ minKeyListVersion: '1' }).minKeyListVersion).toBe(1);
    expect(parseVerifierConfig({ minKeyListVersion: '999999999' }).minKeyListVersion).toBe(999_999_999);
    for (const bad of ['0', '-1', '01', '1.5', '1e3', ' 2', 'two', '1000000000']) {
      expect(parseVerifierConfig({ minKeyListVersion: bad }).problems, bad).toEqual(['QDYP_MIN_KEY_LIST_VERSION is not a positive whole number']);
    }
  });

  it('names a setting as its caller calls it', () => {
    const config = parseVerifierConfig({ rootJwk: JSON.stringify({ ...root, d: D }), minKeyListVersion: 'two' }, { rootJwk: 'root.jwk', minKeyListVersion: '--min-key-list-version' });
    expect(config.problems).toEqual([
      'root.jwk is a private key: the pinned root must be the root\'s public JWK (without "d")',
      '--min-key-list-version is not a positive whole number',
    ]);
  });
});
