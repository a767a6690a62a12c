import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { parseMasterKey } from './master-key';

/**
 * The tokens of approval waitpoints: 256 bits, HMAC-SHA256 of the waitpoint's id under a key
 * derived from the master key, so a token is never stored anywhere (the row keeps its sha256)
 * and both the API and the webhook sender can show it again. Rotating the master key changes
 * them: links of waits in progress stop working (API-key approvals still do).
 */
export class WaitpointTokens {
  private readonly key: Buffer;

  constructor(masterKeyBase64: string) {
    const master = parseMasterKey(masterKeyBase64).bytes;
    this.key = Buffer.from(
      hkdfSync('sha256', master, Buffer.alloc(0), 'agentq.waitpoint-token', 32),
    );
  }

  /** The token of a waitpoint, base64url (43 characters). */
  tokenOf(waitpointId: string): string {
    return createHmac('sha256', this.key).update(waitpointId).digest('base64url');
  }
}

/** What the row stores and the lookup takes: sha256 of the token's text. */
export function waitpointTokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Whether the token hashes to the stored hash, compared in constant time. */
export function waitpointTokenMatches(token: string, storedHash: Buffer): boolean {
  const hash = waitpointTokenHash(token);
  return storedHash.length === hash.length && timingSafeEqual(hash, storedHash);
}

/** A token's shape: 43 base64url characters (refused before any lookup when it is not). */
export const WAITPOINT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
