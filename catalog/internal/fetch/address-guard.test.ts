import { describe, expect, it } from 'vitest';
import { isForbiddenAddress, resolveChecked } from './address-guard.ts';
import type { ResolvedAddress } from './address-guard.ts';

describe('isForbiddenAddress', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.255', 'private 10/8 upper edge'],
    ['100.64.0.1', 'CGNAT lower edge'],
    ['100.127.255.254', 'CGNAT upper edge'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback 127/8'],
    ['169.254.169.254', 'link-local cloud metadata'],
    ['172.16.0.1', 'private 172.16/12 lower edge'],
    ['172.31.255.255', 'private 172.16/12 upper edge'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.168.1.1', 'private 192.168/16'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast upper'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
  ])('forbids IPv4 %s (%s)', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    ['8.8.8.8'],
    ['93.184.216.34'],
    ['1.1.1.1'],
    ['9.255.255.255'],
    ['11.0.0.0'],
    ['100.63.255.255'],
    ['100.128.0.0'],
    ['126.255.255.255'],
    ['128.0.0.0'],
    ['169.253.255.255'],
    ['172.15.255.255'],
    ['172.32.0.0'],
    ['192.167.255.255'],
    ['192.169.0.0'],
    ['198.20.0.0'],
    ['223.255.255.255'],
  ])('allows public IPv4 %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });

  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback, long form'],
    ['[::1]', 'loopback in URL brackets'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with zone id'],
    ['febf:ffff::1', 'link-local upper edge'],
    ['fec0::1', 'deprecated site-local'],
    ['fc00::1', 'unique-local fc00::/7'],
    ['fd12:3456:789a::1', 'unique-local fd00::/8'],
    ['ff02::1', 'multicast'],
    ['100::1', 'discard-only'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['::8.8.8.8', 'deprecated IPv4-compatible'],
  ])('forbids IPv6 %s (%s)', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    ['2001:4860:4860::8888'],
    ['2606:4700:4700::1111'],
    ['2a00:1450:4001:82b::200e'],
    ['fbff:ffff::1'],
    ['fe00::1'],
    ['2001:db8::1'],
  ])('allows public IPv6 %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });

  it.each([
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::FFFF:10.1.2.3', true],
    ['::ffff:169.254.169.254', true],
    ['::ffff:192.168.0.1', true],
    ['::ffff:100.64.0.1', true],
    ['::ffff:0.0.0.0', true],
    ['::ffff:8.8.8.8', false],
    ['::ffff:808:808', false],
    ['64:ff9b::127.0.0.1', true],
    ['64:ff9b::a00:1', true],
    ['64:ff9b::8.8.8.8', false],
    ['2002:7f00:1::', true],
    ['2002:c0a8:101::1', true],
    ['2002:808:808::1', false],
  ])('judges the IPv4 address embedded in %s (forbidden: %s)', (ip, forbidden) => {
    expect(isForbiddenAddress(ip)).toBe(forbidden);
  });

  it.each([[''], ['localhost'], ['example.com'], ['1.2.3'], ['256.1.1.1'], ['::g'], ['1::2::3']])(
    'fails closed on %j, which is not an IP address',
    (text) => {
      expect(isForbiddenAddress(text)).toBe(true);
    },
  );
});

describe('resolveChecked', () => {
  const table =
    (entries: Record<string, ResolvedAddress[]>) =>
    (host: string): Promise<ResolvedAddress[]> =>
      Promise.resolve(entries[host] ?? []);

  it('pins the first resolved address when all are public', async () => {
    const resolve = table({
      'events.test': [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
    });
    expect(await resolveChecked('events.test', { allowPrivate: false, resolve })).toEqual({
      ok: true,
      address: { address: '93.184.216.34', family: 4 },
    });
  });

  it('refuses a name when any one of its addresses is private', async () => {
    const resolve = table({
      'mixed.test': [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ],
    });
    expect(await resolveChecked('mixed.test', { allowPrivate: false, resolve })).toEqual({
      ok: false,
      reason: 'mixed.test resolves to forbidden address 10.0.0.7',
    });
  });

  it('accepts private addresses when allowPrivate is set', async () => {
    const resolve = table({ 'intranet.test': [{ address: '192.168.1.5', family: 4 }] });
    expect(await resolveChecked('intranet.test', { allowPrivate: true, resolve })).toEqual({
      ok: true,
      address: { address: '192.168.1.5', family: 4 },
    });
  });

  it('checks IP literals without asking the resolver', async () => {
    const resolve = () => Promise.reject(new Error('resolver must not be called'));
    expect(await resolveChecked('[::1]', { allowPrivate: false, resolve })).toEqual({
      ok: false,
      reason: '[::1] resolves to forbidden address ::1',
    });
    expect(await resolveChecked('8.8.4.4', { allowPrivate: false, resolve })).toEqual({
      ok: true,
      address: { address: '8.8.4.4', family: 4 },
    });
  });

  it('refuses a name that resolves to nothing', async () => {
    expect(await resolveChecked('void.test', { allowPrivate: true, resolve: table({}) })).toEqual({
      ok: false,
      reason: 'void.test resolved to no address',
    });
  });
});
