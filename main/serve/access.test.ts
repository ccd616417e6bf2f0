import type os from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  isLoopbackAddress,
  protocolToken,
  reachableAddresses,
  refuseNonLoopback,
  sameSecret,
  targetPath,
} from './access';

const iface = (address: string, family: 'IPv4' | 'IPv6', scopeid = 0): os.NetworkInterfaceInfo =>
  ({ address, family, scopeid, internal: false, netmask: '', mac: '', cidr: null }) as os.NetworkInterfaceInfo;

const INTERFACES = {
  lo: [iface('127.0.0.1', 'IPv4'), iface('::1', 'IPv6')],
  eth0: [iface('192.0.2.7', 'IPv4'), iface('2001:db8::7', 'IPv6'), iface('fe80::1', 'IPv6', 2)],
};

describe('serve access checks', () => {
  it('compares the token exactly: missing, shorter, longer and one-character-off values are refused', () => {
    expect(sameSecret('s3cret-token', 's3cret-token')).toBe(true);
    for (const wrong of [undefined, '', 's3cret-toke', 's3cret-tokenX', 's3cret-tokeN']) {
      expect(sameSecret(wrong, 's3cret-token')).toBe(false);
    }
  });

  it('takes the token from the walscope.token.* subprotocol only', () => {
    expect(protocolToken('walscope.v1, walscope.token.abc_-1')).toBe('abc_-1');
    expect(protocolToken(['walscope.v1', 'walscope.token.xyz'])).toBe('xyz');
    expect(protocolToken('walscope.v1')).toBeUndefined();
    expect(protocolToken(undefined)).toBeUndefined();
  });

  it('answers undefined for targets that are not URLs or have bad percent-encoding', () => {
    expect(targetPath('//[')).toBeUndefined();
    expect(targetPath('/%E0%A4%A')).toBeUndefined();
    expect(targetPath('/%')).toBeUndefined();
    expect(targetPath('/assets/x.js?v=1')).toBe('/assets/x.js');
    expect(targetPath('/..%2f..%2fetc%2fhostname')).toBe('/../../etc/hostname');
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackAddress(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.0.2.7', 'example.com', '128.0.0.1'])
      expect(isLoopbackAddress(h)).toBe(false);
  });

  it('lists each interface address for a wildcard bind, loopback first, never the wildcard or link-local', () => {
    expect(reachableAddresses('0.0.0.0', INTERFACES)).toEqual(['127.0.0.1', '192.0.2.7']);
    expect(reachableAddresses('::', INTERFACES)).toEqual(['127.0.0.1', '::1', '192.0.2.7', '2001:db8::7']);
    expect(reachableAddresses('192.0.2.7', INTERFACES)).toEqual(['192.0.2.7']);
    expect(reachableAddresses('[::1]', INTERFACES)).toEqual(['::1']);
  });

  it('refuses a non-loopback bind unless --insecure-listen is given', () => {
    expect(() => refuseNonLoopback('0.0.0.0', false)).toThrow(/--insecure-listen/);
    expect(() => refuseNonLoopback('192.0.2.7', undefined)).toThrow(/not a loopback address/);
    expect(() => refuseNonLoopback('0.0.0.0', true)).not.toThrow();
    expect(() => refuseNonLoopback('127.0.0.1', false)).not.toThrow();
  });
});
