import { isIP } from 'node:net';
import { nonGlobalAddressReason } from './address-policy';
import { HostResolver } from './host-resolver';
import { OutboundError } from './outbound-error';

const unbracketed = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * The addresses to connect to for `hostname`. With `blockNonGlobal`, every address the name
 * resolves to must be global: a name with any non-global answer is refused as a whole.
 */
export async function vettedAddresses(
  hostname: string,
  resolve: HostResolver,
  blockNonGlobal: boolean,
): Promise<string[]> {
  const host = unbracketed(hostname);
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    addresses = [];
  }
  if (addresses.length === 0) {
    throw new OutboundError('destination_unresolved', `${host} does not resolve`);
  }
  if (blockNonGlobal) {
    for (const address of addresses) {
      const reason = nonGlobalAddressReason(address);
      if (reason) throw new OutboundError('destination_refused', `${host}: ${reason}`);
    }
  }
  return addresses;
}

/**
 * Why `url` would be refused, or null. An early answer for validation only: the binding check
 * is the one made on every connection (OutboundClient), since a name may resolve differently.
 */
export async function destinationProblem(
  url: string,
  resolve: HostResolver,
): Promise<string | null> {
  try {
    await vettedAddresses(new URL(url).hostname, resolve, true);
    return null;
  } catch (error) {
    if (error instanceof OutboundError) return error.message;
    throw error;
  }
}
