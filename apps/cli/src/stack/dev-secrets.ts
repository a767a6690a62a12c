import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StackError } from './stack-error';

export interface DevTenant {
  id: string;
  name: string;
  apiKeyId: string;
  apiKeyPrefix: string;
  apiKey: string;
}

/** What `npm start` generates on its first run and reuses on every later one. */
export interface DevSecrets {
  adminToken?: string;
  masterKey?: string;
  /** Password of the embedded PostgreSQL superuser, chosen when its cluster is created. */
  postgresPassword?: string;
  tenant?: DevTenant;
}

export const newAdminToken = () => `agentq_admin_${randomBytes(24).toString('base64url')}`;
export const newMasterKey = () => randomBytes(32).toString('base64');
export const newPassword = () => randomBytes(18).toString('base64url');

/** `.data/dev-secrets.json`: readable only by its owner, rewritten atomically. */
export class DevSecretsFile {
  constructor(readonly path: string) {}

  read(): DevSecrets {
    if (!existsSync(this.path)) return {};
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as DevSecrets;
    } catch (error) {
      throw new StackError(
        `${this.path} is not valid JSON (${(error as Error).message}); fix or delete it`,
      );
    }
  }

  update(change: Partial<DevSecrets>): DevSecrets {
    const next = { ...this.read(), ...change };
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
    return next;
  }
}
