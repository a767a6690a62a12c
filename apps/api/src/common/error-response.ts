import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class FieldErrorDetail {
  @ApiProperty({ example: 'llmConfig.temperature' }) field!: string;
  @ApiProperty({ example: 'Too big: expected number to be <=2' }) message!: string;
}

class ErrorBody {
  @ApiProperty({ example: 'validation_failed' }) code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: [FieldErrorDetail], description: 'per-field problems of a 400' })
  details?: FieldErrorDetail[];
}

/** OpenAPI description of the one error shape ApiExceptionFilter writes. */
export class ErrorResponse {
  @ApiProperty({ type: ErrorBody }) error!: ErrorBody;
}
