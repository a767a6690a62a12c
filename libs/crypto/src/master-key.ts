import { createHash } from 'node:crypto';

const AES_256_KEY_BYTES = 32;

export interface MasterKey {
  /** First 8 hex characters of sha256(key bytes): names the key in every envelope it seals. */
  id: string;
  bytes: Buffer;
}

/** Decodes a base64 master key (as in AGENTQ_MASTER_KEY) and derives its key id. */
export function parseMasterKey(base64: string): MasterKey {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== AES_256_KEY_BYTES) {
    throw new Error(`a master key must be ${AES_256_KEY_BYTES} bytes encoded as base64`);
  }
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes };
}
