import { CredentialCipher, MasterKeys } from './credential-cipher';

/** Where a secret header value of an http tool belongs. */
export interface ToolHeaderOwner {
  tenantId: string;
  agentId: string;
  toolName: string;
  header: string;
}

/**
 * Secret header values of http tools at rest: the provider keys' AES-256-GCM envelope, bound to
 * its own purpose, the tenant, the agent, the tool and the header.
 */
export class ToolHeaderCipher {
  private readonly cipher: CredentialCipher;

  constructor(masterKeys: MasterKeys) {
    this.cipher = new CredentialCipher(masterKeys, 'agentq.tool.header');
  }

  encrypt(value: string, owner: ToolHeaderOwner): string {
    return this.cipher.encrypt(value, aad(owner));
  }

  /** @throws CredentialDecryptionError */
  decrypt(envelope: string, owner: ToolHeaderOwner): string {
    return this.cipher.decrypt(envelope, aad(owner));
  }

  isSealedWithOlderKey(envelope: string): boolean {
    return this.cipher.isSealedWithOlderKey(envelope);
  }

  /** @throws CredentialDecryptionError */
  reseal(envelope: string, owner: ToolHeaderOwner): string {
    return this.encrypt(this.decrypt(envelope, owner), owner);
  }
}

function aad(owner: ToolHeaderOwner) {
  return {
    tenantId: owner.tenantId,
    providerId: `${owner.agentId}/${owner.toolName}/${owner.header.toLowerCase()}`,
  };
}

/** The per-tenant signing secret of http tool calls, sealed like webhook secrets. */
export class ToolSigningSecretCipher {
  private readonly cipher: CredentialCipher;

  constructor(masterKeys: MasterKeys) {
    this.cipher = new CredentialCipher(masterKeys, 'agentq.tool.signing-secret');
  }

  encrypt(secret: string, tenantId: string): string {
    return this.cipher.encrypt(secret, { tenantId, providerId: tenantId });
  }

  /** @throws CredentialDecryptionError */
  decrypt(envelope: string, tenantId: string): string {
    return this.cipher.decrypt(envelope, { tenantId, providerId: tenantId });
  }

  isSealedWithOlderKey(envelope: string): boolean {
    return this.cipher.isSealedWithOlderKey(envelope);
  }

  /** @throws CredentialDecryptionError */
  reseal(envelope: string, tenantId: string): string {
    return this.encrypt(this.decrypt(envelope, tenantId), tenantId);
  }
}
