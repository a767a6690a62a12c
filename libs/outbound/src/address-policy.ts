import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

// The IPv4 address an IPv6 address carries by a standard mapping, if any.
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const bytes = address.toByteArray();
  const lastFour = () => ipaddr.fromByteArray(bytes.slice(12)) as ipaddr.IPv4;
  switch (address.range()) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return lastFour();
    case 'rfc6052':
      return address.match(NAT64_WELL_KNOWN) ? lastFour() : null;
    case '6to4':
      return ipaddr.fromByteArray(bytes.slice(2, 6)) as ipaddr.IPv4;
    default:
      return null;
  }
}

const isIpv4Compatible = (address: ipaddr.IPv6) =>
  address.parts.slice(0, 6).every((part) => part === 0);

function ownInterfaceAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flat()
      .flatMap((info) =>
        info ? [ipaddr.parse(info.address.split('%')[0]).toNormalizedString()] : [],
      ),
  );
}

/**
 * Why an outbound connection must not go to `address`, or null when it is a global unicast
 * address (ipaddr.js classifies it against the IANA special-purpose registries). An IPv6 address
 * that embeds an IPv4 one (mapped, NAT64, 6to4) is judged by the IPv4 address it reaches.
 */
export function nonGlobalAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const parsed = ipaddr.parse(address);
  if (ownInterfaceAddresses().has(parsed.toNormalizedString())) {
    return `${address} is an address of this host`;
  }
  if (parsed.kind() === 'ipv4') {
    const range = parsed.range();
    return range === 'unicast' ? null : `${address} is not a global address (${range})`;
  }
  const v6 = parsed as ipaddr.IPv6;
  const embedded = embeddedIpv4(v6);
  if (embedded) {
    const reason = nonGlobalAddressReason(embedded.toString());
    return reason && `${address} embeds ${embedded.toString()}: ${reason}`;
  }
  // ::a.b.c.d (IPv4-compatible, deprecated) and ::/128, ::1/128 all start with 96 zero bits.
  if (isIpv4Compatible(v6)) return `${address} is not a global address (IPv4-compatible)`;
  const range = v6.range();
  if (range !== 'unicast') return `${address} is not a global address (${range})`;
  return v6.match(GLOBAL_UNICAST_V6) ? null : `${address} is outside global unicast 2000::/3`;
}
