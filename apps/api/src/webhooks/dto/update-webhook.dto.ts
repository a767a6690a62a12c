import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { Omittable } from '../../common/omittable.decorator';
import { CreateWebhookDto } from './create-webhook.dto';

export class UpdateWebhookDto extends PartialType(CreateWebhookDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({
    description: 'false disables the endpoint; true enables it again (and clears failing)',
  })
  @Omittable()
  @IsBoolean()
  enabled?: boolean;
}
