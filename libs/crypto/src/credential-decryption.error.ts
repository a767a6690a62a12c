export type CredentialDecryptionFailure = 'malformed' | 'unknown_key' | 'tampered';

/**
 * A stored credential could not be decrypted: the envelope is not one this library wrote
 * (`malformed`), its master key is neither the current nor a previous one (`unknown_key`), or
 * authentication failed because the ciphertext, the envelope header or the bound row changed
 * (`tampered`). Retrying cannot help.
 */
export class CredentialDecryptionError extends Error {
  constructor(
    readonly reason: CredentialDecryptionFailure,
    message: string,
  ) {
    super(message);
    this.name = 'CredentialDecryptionError';
  }
}
