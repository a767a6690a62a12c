import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Omittable } from '../../common/omittable.decorator';
import { OptionalUsdAmount } from '../../common/usd-amount.decorator';

export class UpdateTenantDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @Omittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @OptionalUsdAmount("the tenant's spend limit per UTC day, across its agents")
  budgetDailyUsd?: string | null;

  @OptionalUsdAmount("the tenant's spend limit per calendar month (UTC)")
  budgetMonthlyUsd?: string | null;

  @OptionalUsdAmount('each end user’s (`user`) spend limit per UTC day, across the agents')
  endUserBudgetDailyUsd?: string | null;

  @OptionalUsdAmount('each end user’s spend limit per calendar month (UTC)')
  endUserBudgetMonthlyUsd?: string | null;
}
