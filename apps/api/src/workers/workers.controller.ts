import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.decorators';
import { toWorkerView, WorkerList } from './worker.view';
import { WorkersService } from './workers.service';

@ApiTags('workers')
// Hosts, pids and job counts across every tenant: operator information, not a tenant's.
@AdminOnly()
@Controller('v1/workers')
export class WorkersController {
  constructor(private readonly workers: WorkersService) {}

  @Get()
  @ApiOperation({
    summary:
      'Live worker processes with their last heartbeat and the jobs each has ended (admin token)',
  })
  @ApiOkResponse({ type: WorkerList })
  async list(): Promise<WorkerList> {
    return { data: (await this.workers.listLive()).map(toWorkerView) };
  }
}
