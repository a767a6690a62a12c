import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { ToolSigningSecrets } from '@agentq/tools';
import { TenantId } from '../auth/auth.decorators';

export class ToolSigningSecretView {
  @ApiProperty({ description: 'false until an http tool is first called or a rotation' })
  exists!: boolean;
  @ApiProperty({ type: String, nullable: true }) last4!: string | null;
  @ApiProperty({ type: Date, nullable: true }) createdAt!: Date | null;
}

export class NewToolSigningSecretView {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'shown this once: verify the webhook-signature of tool calls with it',
  })
  secret!: string;
  @ApiProperty() last4!: string;
  @ApiProperty() createdAt!: Date;
}

@ApiTags('tools')
@ApiBearerAuth()
@Controller('v1/tool-signing-secret')
export class ToolSigningSecretController {
  constructor(private readonly secrets: ToolSigningSecrets) {}

  @Get()
  @ApiOperation({
    summary: 'Whether the tenant has a signing secret for http tool calls (never the secret)',
  })
  @ApiOkResponse({ type: ToolSigningSecretView })
  describe(@TenantId() tenantId: string): Promise<ToolSigningSecretView> {
    return this.secrets.describe(tenantId);
  }

  @Post('rotate')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create or replace the signing secret of http tool calls; shown once',
    description:
      'Every http tool call is a POST signed the Standard Webhooks way (webhook-id, ' +
      'webhook-timestamp, webhook-signature) with this secret. Calls signed after the ' +
      'rotation use the new secret only.',
  })
  @ApiCreatedResponse({ type: NewToolSigningSecretView })
  rotate(@TenantId() tenantId: string): Promise<NewToolSigningSecretView> {
    return this.secrets.rotate(tenantId);
  }
}
