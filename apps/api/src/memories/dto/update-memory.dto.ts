import { PartialType } from '@nestjs/swagger';
import { CreateMemoryDto } from './create-memory.dto';

/** Every field optional; a given metadata object replaces the stored one. */
export class UpdateMemoryDto extends PartialType(CreateMemoryDto, { skipNullProperties: false }) {}
