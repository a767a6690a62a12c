import { Module } from '@nestjs/common';
import { WorkerRegistry } from './worker-registry.service';

@Module({ providers: [WorkerRegistry] })
export class WorkerRegistryModule {}
