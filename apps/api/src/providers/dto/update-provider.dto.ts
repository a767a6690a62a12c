import { PartialType } from '@nestjs/swagger';
import { CreateProviderDto } from './create-provider.dto';

/** Every field optional; null clears apiKey, baseUrl, pricing or rateLimit. A new apiKey replaces the old one. */
export class UpdateProviderDto extends PartialType(CreateProviderDto, {
  skipNullProperties: false,
}) {}
