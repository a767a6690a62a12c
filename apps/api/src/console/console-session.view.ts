import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_SCOPES, ApiKeyScope } from '@agentq/database';

/** A console session as the console sees it; the session secret itself stays in the cookie. */
export class ConsoleSessionView {
  @ApiProperty({ description: 'signed in with the admin token: admin routes only, no tenant' })
  admin!: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) tenantId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the tenant’s name' })
  tenantName!: string | null;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, description: 'the key’s scopes' })
  scopes!: ApiKeyScope[];
  @ApiProperty() expiresAt!: Date;
  @ApiProperty({ description: 'send it as X-Agentq-Csrf on every write; keep it in memory only' })
  csrfToken!: string;
}

export class ConsoleLoginLinkView {
  @ApiProperty({ example: 'http://localhost:3000/console/login#token=aql_...' }) url!: string;
  @ApiProperty() expiresAt!: Date;
}
