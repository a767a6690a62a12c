import { PartialType } from '@nestjs/swagger';
import { CreateAgentDto } from './create-agent.dto';

/** Every field optional; null clears the nullable ones. A given llmConfig replaces the whole object. */
export class UpdateAgentDto extends PartialType(CreateAgentDto, { skipNullProperties: false }) {}
