import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

/** An optional USD amount as a decimal string ("12.50"); null clears it. Money is never a float. */
export function OptionalUsdAmount(description: string) {
  return applyDecorators(
    ApiPropertyOptional({ type: String, nullable: true, example: '25.00', description }),
    IsOptional(),
    Matches(/^\d{1,11}(\.\d{1,9})?$/, {
      message: '$property must be a decimal string such as "25.00"',
    }),
  );
}

/** An optional USD cap above zero as a decimal string; null clears it (no cap). */
export function OptionalPositiveUsdAmount(description: string) {
  return applyDecorators(
    OptionalUsdAmount(description),
    Matches(/[1-9]/, { message: '$property must be more than zero' }),
  );
}
