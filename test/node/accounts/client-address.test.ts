import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress, normaliseAddress, trustedProxies } from '../../../src/node/accounts/index.ts';

describe('addresses', () => {
  it('writes each address one way', () => {
    expect(normaliseAddress('192.0.2.1')).toBe('192.0.2.1');
    expect(normaliseAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normaliseAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(normaliseAddress('::ffff:c000:201')).toBe('192.0.2.1');
    expect(normaliseAddress('2001:DB8::1')).toBe('2001:db8::1');
    expect(normaliseAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normaliseAddress('not an address')).toBeNull();
    expect(normaliseAddress('192.0.2.256')).toBeNull();
  });

  it('throttles IPv4 by address and IPv6 by /64', () => {
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('2001:db8:0:0:1::')).toBe(addressKey('2001:db8::2'));
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressKey('unknown')).toBe('unknown');
  });
});

describe('client address', () => {
  const xff = (value: string) => ({ 'x-forwarded-for': value });

  it('is the socket’s unless proxies are configured', () => {
    expect(clientAddress('198.51.100.7', xff('203.0.113.9'), [])).toBe('198.51.100.7');
    expect(clientAddress('198.51.100.7', xff('203.0.113.9'))).toBe('198.51.100.7');
    expect(clientAddress('::ffff:198.51.100.7', {})).toBe('198.51.100.7');
    expect(clientAddress(undefined, xff('203.0.113.9'), ['10.0.0.1'])).toBe('unknown');
  });

  it('ignores X-Forwarded-For from a socket that is no trusted proxy', () => {
    expect(clientAddress('198.51.100.7', xff('203.0.113.9'), ['10.0.0.1'])).toBe('198.51.100.7');
  });

  it('takes the right-most hop no trusted proxy added', () => {
    const proxies = trustedProxies(['10.0.0.0/8', '2001:db8:ffff::/48']);
    // The client claims to be 1.1.1.1; the first proxy saw 203.0.113.9; the second saw the first.
    expect(clientAddress('10.0.0.2', xff('1.1.1.1, 203.0.113.9, 10.1.2.3'), proxies)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:10.0.0.2', xff('203.0.113.9'), proxies)).toBe('203.0.113.9');
    expect(clientAddress('2001:db8:ffff::5', xff('2001:db8:1:2::9'), proxies)).toBe('2001:db8:1:2::9');
    // Ports and brackets as some proxies write them.
    expect(clientAddress('10.0.0.2', xff('203.0.113.9:51234'), proxies)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.2', xff('[2001:DB8:1:2::9]:443'), proxies)).toBe('2001:db8:1:2::9');
    expect(clientAddress('10.0.0.2', xff('::ffff:203.0.113.9'), proxies)).toBe('203.0.113.9');
  });

  it('reads repeated headers and Fetch Headers alike', () => {
    const proxies = ['10.0.0.1'];
    expect(clientAddress('10.0.0.1', { 'x-forwarded-for': ['1.1.1.1', '203.0.113.9'] }, proxies)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.1', new Headers({ 'X-Forwarded-For': '1.1.1.1,203.0.113.9' }), proxies)).toBe('203.0.113.9');
  });

  it('falls back to the proxy when the header is missing, or to the last good hop when it is malformed', () => {
    const proxies = ['10.0.0.1', '10.0.0.2'];
    expect(clientAddress('10.0.0.1', {}, proxies)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', xff('   '), proxies)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', xff('203.0.113.9, garbage'), proxies)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', xff('garbage, 10.0.0.2'), proxies)).toBe('10.0.0.2');
    // Every hop trusted: the left-most is as far as we can see.
    expect(clientAddress('10.0.0.1', xff('10.0.0.2, 10.0.0.1'), proxies)).toBe('10.0.0.2');
  });

  it('refuses a trusted-proxy entry that is no address or network, naming it', () => {
    for (const bad of ['', 'proxy.local', '10.0.0.0/33', '10.0.0.0/8/1', '2001:db8::/129', '10.0.0.0/x', '::ffff:10.0.0.1/104']) {
      expect(() => trustedProxies([bad]), bad).toThrow(JSON.stringify(bad));
    }
    expect(() => clientAddress('10.0.0.1', {}, ['nope'])).toThrow(/nope/);
    expect(trustedProxies(['::ffff:10.0.0.1']).has('10.0.0.1')).toBe(true);
    expect(trustedProxies(['::1', '127.0.0.1']).entries).toEqual(['::1', '127.0.0.1']);
  });
});
