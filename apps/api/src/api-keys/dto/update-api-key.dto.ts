import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateApiKeyDto } from './create-api-key.dto';

/** Name and budgets; null clears a budget. Scopes are fixed at creation (issue a new key). */
export class UpdateApiKeyDto extends PartialType(OmitType(CreateApiKeyDto, ['scopes'] as const), {
  skipNullProperties: false,
}) {}
