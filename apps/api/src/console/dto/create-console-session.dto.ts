import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** Exactly one of the two: an API key or the admin token, or a one-time login link's token. */
export class CreateConsoleSessionDto {
  @ApiPropertyOptional({
    description: 'a tenant API key (aq_...) or AGENTQ_ADMIN_TOKEN; never stored by the browser',
    maxLength: 512,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  token?: string;

  @ApiPropertyOptional({
    description: 'the token of a one-time login link (aql_...); it works once',
    maxLength: 512,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  loginToken?: string;
}
