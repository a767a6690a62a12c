import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

@Module({
  imports: [ApiKeysModule],
  controllers: [TenantsController],
  providers: [TenantsService],
})
export class AdminModule {}
