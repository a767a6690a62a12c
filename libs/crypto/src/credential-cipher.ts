import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CredentialDecryptionError } from './credential-decryption.error';
import { MasterKey, parseMasterKey } from './master-key';

const ALGORITHM = 'aes-256-gcm';
const FORMAT_VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const PROVIDER_KEY_PURPOSE = 'agentq.llm-provider.api-key';

/** Base64-encoded 32-byte keys, as in AppConfig.masterKeys. */
export interface MasterKeys {
  current: string;
  previous?: readonly string[];
}

/** The row a credential belongs to; a ciphertext copied to another row fails to decrypt. */
export interface CredentialAad {
  tenantId: string;
  providerId: string;
}

/**
 * AES-256-GCM for provider API keys at rest. Envelope (all parts base64url):
 *
 *   v1.<keyId>.<nonce>.<ciphertext>.<tag>
 *
 * keyId is the first 8 hex characters of sha256(master key), so decryption picks the right key
 * during a rotation; the nonce is 12 random bytes, the tag 16 bytes. The associated data binds
 * the format version, the key id, the tenant and the provider row.
 */
export class CredentialCipher {
  private readonly current: MasterKey;
  private readonly keysById = new Map<string, MasterKey>();

  // `purpose` is bound into the associated data: an envelope of one purpose never opens as another.
  constructor(
    masterKeys: MasterKeys,
    private readonly purpose: string = PROVIDER_KEY_PURPOSE,
  ) {
    this.current = parseMasterKey(masterKeys.current);
    for (const key of [this.current, ...(masterKeys.previous ?? []).map(parseMasterKey)]) {
      if (!this.keysById.has(key.id)) this.keysById.set(key.id, key);
    }
  }

  /** Id of the key new envelopes are sealed with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string, aad: CredentialAad): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.bytes, nonce, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(associatedData(this.purpose, this.current.id, aad));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT_VERSION, this.current.id, nonce, ciphertext, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** True when the envelope was sealed with an older master key. */
  isSealedWithOlderKey(envelope: string): boolean {
    return parseEnvelope(envelope).keyId !== this.current.id;
  }

  /** Opens an envelope sealed with any known key and seals it again with the current one. */
  reseal(envelope: string, aad: CredentialAad): string {
    return this.encrypt(this.decrypt(envelope, aad), aad);
  }

  /** @throws CredentialDecryptionError */
  decrypt(envelope: string, aad: CredentialAad): string {
    const { keyId, nonce, ciphertext, tag } = parseEnvelope(envelope);
    const key = this.keysById.get(keyId);
    if (!key) {
      throw new CredentialDecryptionError(
        'unknown_key',
        `credential was encrypted with master key ${keyId}, which is neither AGENTQ_MASTER_KEY nor in AGENTQ_PREVIOUS_MASTER_KEYS`,
      );
    }
    const decipher = createDecipheriv(ALGORITHM, key.bytes, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(this.purpose, keyId, aad));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new CredentialDecryptionError(
        'tampered',
        'credential failed authentication: the ciphertext was altered or belongs to another provider',
      );
    }
  }
}

function associatedData(purpose: string, keyId: string, aad: CredentialAad): Buffer {
  // JSON of an array: unambiguous however the values are spelled.
  return Buffer.from(
    JSON.stringify([purpose, FORMAT_VERSION, keyId, aad.tenantId, aad.providerId]),
  );
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function parseEnvelope(envelope: string) {
  const parts = envelope.split('.');
  const [version, keyId, nonce, ciphertext, tag] = parts;
  const wellFormed =
    parts.length === 5 &&
    version === FORMAT_VERSION &&
    /^[0-9a-f]{8}$/.test(keyId) &&
    [nonce, ciphertext, tag].every((part) => BASE64URL.test(part));
  const decoded = wellFormed
    ? {
        keyId,
        nonce: Buffer.from(nonce, 'base64url'),
        ciphertext: Buffer.from(ciphertext, 'base64url'),
        tag: Buffer.from(tag, 'base64url'),
      }
    : null;
  if (!decoded || decoded.nonce.length !== NONCE_BYTES || decoded.tag.length !== TAG_BYTES) {
    throw new CredentialDecryptionError('malformed', `not a ${FORMAT_VERSION} credential envelope`);
  }
  return decoded;
}
