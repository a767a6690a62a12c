import { CredentialCipher, MasterKeys } from './credential-cipher';

const WEBHOOK_SECRET_PURPOSE = 'agentq.webhook.signing-secret';

/**
 * Webhook signing secrets at rest: the provider keys' AES-256-GCM envelope under the same master
 * keys, bound to its own purpose, the tenant and the webhook row.
 */
export class WebhookSecretCipher {
  private readonly cipher: CredentialCipher;

  constructor(masterKeys: MasterKeys) {
    this.cipher = new CredentialCipher(masterKeys, WEBHOOK_SECRET_PURPOSE);
  }

  encrypt(secret: string, owner: { tenantId: string; webhookId: string }): string {
    return this.cipher.encrypt(secret, { tenantId: owner.tenantId, providerId: owner.webhookId });
  }

  /** True when the envelope was sealed with an older master key (keys:rotate reseals it). */
  isSealedWithOlderKey(envelope: string): boolean {
    return this.cipher.isSealedWithOlderKey(envelope);
  }

  /** @throws CredentialDecryptionError */
  reseal(envelope: string, owner: { tenantId: string; webhookId: string }): string {
    return this.encrypt(this.decrypt(envelope, owner), owner);
  }

  /** @throws CredentialDecryptionError */
  decrypt(envelope: string, owner: { tenantId: string; webhookId: string }): string {
    return this.cipher.decrypt(envelope, { tenantId: owner.tenantId, providerId: owner.webhookId });
  }
}
