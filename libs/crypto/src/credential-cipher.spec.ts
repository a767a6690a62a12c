import { createHash } from 'node:crypto';
import { CredentialCipher } from './credential-cipher';
import { CredentialDecryptionError } from './credential-decryption.error';

const keyA = Buffer.alloc(32, 1).toString('base64');
const keyB = Buffer.alloc(32, 2).toString('base64');
const keyC = Buffer.alloc(32, 3).toString('base64');
const aad = {
  tenantId: '0b6f1f52-6a0e-4a57-9d0e-1a1d5b0f8c01',
  providerId: '5d1e7c4e-2f1b-4a6e-8a3b-9c0d1e2f3a4b',
};
const secret = 'sk-test-0123456789abcdefghijklmnopqrstuvwxyz';

function decryptionFailure(attempt: () => unknown): CredentialDecryptionError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof CredentialDecryptionError) return error;
    throw error;
  }
  throw new Error('expected decryption to fail');
}

// Replaces one base64url part of an envelope, flipping the first bit of its first byte.
function flipBit(envelope: string, partIndex: number): string {
  const parts = envelope.split('.');
  const bytes = Buffer.from(parts[partIndex], 'base64url');
  bytes[0] ^= 1;
  parts[partIndex] = bytes.toString('base64url');
  return parts.join('.');
}

describe('CredentialCipher', () => {
  const cipher = new CredentialCipher({ current: keyA, previous: [] });

  it('round-trips a secret without it appearing in the envelope', () => {
    const envelope = cipher.encrypt(secret, aad);
    expect(envelope).not.toContain(secret);
    expect(envelope).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(cipher.decrypt(envelope, aad)).toBe(secret);
  });

  it('names the key by the first 8 hex characters of its sha256', () => {
    const expected = createHash('sha256')
      .update(Buffer.from(keyA, 'base64'))
      .digest('hex')
      .slice(0, 8);
    expect(cipher.currentKeyId).toBe(expected);
    expect(cipher.encrypt(secret, aad).split('.')[1]).toBe(expected);
  });

  it('uses a fresh nonce for every encryption', () => {
    expect(cipher.encrypt(secret, aad)).not.toBe(cipher.encrypt(secret, aad));
  });

  it('refuses a ciphertext bound to another provider or tenant', () => {
    const envelope = cipher.encrypt(secret, aad);
    const otherProvider = { ...aad, providerId: '7a7a7a7a-0000-4000-8000-000000000000' };
    const otherTenant = { ...aad, tenantId: '7a7a7a7a-0000-4000-8000-000000000000' };
    expect(decryptionFailure(() => cipher.decrypt(envelope, otherProvider)).reason).toBe(
      'tampered',
    );
    expect(decryptionFailure(() => cipher.decrypt(envelope, otherTenant)).reason).toBe('tampered');
  });

  it.each([
    ['nonce', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ])('detects a tampered %s', (_part, index) => {
    const envelope = flipBit(cipher.encrypt(secret, aad), index);
    expect(decryptionFailure(() => cipher.decrypt(envelope, aad)).reason).toBe('tampered');
  });

  it('decrypts with a previous key after rotation and encrypts with the new one', () => {
    const sealedWithA = cipher.encrypt(secret, aad);
    const rotated = new CredentialCipher({ current: keyB, previous: [keyA] });
    expect(rotated.decrypt(sealedWithA, aad)).toBe(secret);
    const sealedWithB = rotated.encrypt(secret, aad);
    expect(sealedWithB.split('.')[1]).toBe(rotated.currentKeyId);
    expect(rotated.currentKeyId).not.toBe(cipher.currentKeyId);
  });

  it('reports an unknown key id clearly', () => {
    const envelope = new CredentialCipher({ current: keyC }).encrypt(secret, aad);
    const error = decryptionFailure(() => cipher.decrypt(envelope, aad));
    expect(error.reason).toBe('unknown_key');
    expect(error.message).toContain(envelope.split('.')[1]);
  });

  it('refuses an envelope whose key id was rewritten to another known key', () => {
    const both = new CredentialCipher({ current: keyA, previous: [keyB] });
    const parts = both.encrypt(secret, aad).split('.');
    parts[1] = new CredentialCipher({ current: keyB }).currentKeyId;
    expect(decryptionFailure(() => both.decrypt(parts.join('.'), aad)).reason).toBe('tampered');
  });

  it.each([
    '',
    'plaintext-key',
    'v2.aaaaaaaa.AA.AA.AA',
    'v1.zzzzzzzz.AA.AA.AA',
    'v1.aaaaaaaa.AA.AA.AA',
  ])('refuses a malformed envelope %p', (envelope) => {
    expect(decryptionFailure(() => cipher.decrypt(envelope, aad)).reason).toBe('malformed');
  });

  it('rejects a master key that is not 32 bytes', () => {
    expect(() => new CredentialCipher({ current: Buffer.alloc(16).toString('base64') })).toThrow(
      /32 bytes/,
    );
  });
});
