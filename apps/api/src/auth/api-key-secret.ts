import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'aq_';
const DISPLAY_PREFIX_LENGTH = 12;

export interface NewApiKeySecret {
  key: string;
  prefix: string;
  hash: string;
}

/** 256 random bits behind a recognisable `aq_` prefix; only the sha256 is ever stored. */
export function generateApiKeySecret(): NewApiKeySecret {
  const key = `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), hash: hashApiKeySecret(key) };
}

export function hashApiKeySecret(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(SECRET_PREFIX) && value.length > DISPLAY_PREFIX_LENGTH;
}

/** Compares two secrets in time independent of where they differ. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
