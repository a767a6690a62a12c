import { lookup } from 'node:dns/promises';

/** Every address a host name resolves to. Injected so tests can answer without DNS. */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true })).map((entry) => entry.address);
