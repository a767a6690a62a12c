import { networkInterfaces } from 'node:os';
import { nonGlobalAddressReason } from './address-policy';

describe('nonGlobalAddressReason', () => {
  it.each([
    '0.0.0.0',
    '10.1.2.3',
    '100.64.0.1',
    '127.0.0.1',
    '169.254.169.254',
    '172.20.0.5',
    '192.0.0.8',
    '192.0.2.1',
    '192.168.1.10',
    '198.18.0.1',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fd00::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::7f00:1',
    '64:ff9b::a00:1',
    '64:ff9b:1::5db8:d822',
    '2002:7f00:1::1',
    '2002:c0a8:101::1',
    '::7f00:1',
    '::5db8:d822',
    '2001:db8::1',
    '2001::1',
    '100::1',
  ])('refuses %s', (address) => {
    expect(nonGlobalAddressReason(address)).not.toBeNull();
  });

  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '2606:4700::1111',
    '::ffff:93.184.216.34',
    '64:ff9b::5db8:d822',
    '2002:5db8:d822::1',
  ])('allows %s', (address) => {
    expect(nonGlobalAddressReason(address)).toBeNull();
  });

  it("refuses this host's own interface addresses", () => {
    const own = Object.values(networkInterfaces())
      .flat()
      .flatMap((info) => (info ? [info.address] : []));
    for (const address of own) expect(nonGlobalAddressReason(address)).not.toBeNull();
  });

  it('says which embedded IPv4 address decided', () => {
    expect(nonGlobalAddressReason('64:ff9b::7f00:1')).toContain('embeds 127.0.0.1');
  });
});
