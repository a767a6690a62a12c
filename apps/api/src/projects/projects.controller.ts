import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { PageQuery } from '../common/page.query';
import { CreateProjectDto, UpdateProjectDto } from './dto/project.dto';
import { ProjectPage, ProjectView } from './project.view';
import { ProjectsService } from './projects.service';

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('project') });

@ApiTags('projects')
@ApiBearerAuth()
@Controller('v1/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a project to hold plans' })
  @ApiCreatedResponse({ type: ProjectView })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'validation_failed' })
  create(@TenantId() tenantId: string, @Body() body: CreateProjectDto): Promise<ProjectView> {
    return this.projects.create(tenantId, body);
  }

  @Get()
  @ApiOperation({ summary: 'List projects, newest first, with their usage' })
  @ApiOkResponse({ type: ProjectPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  list(@TenantId() tenantId: string, @Query() query: PageQuery): Promise<ProjectPage> {
    return this.projects.list(tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: "A project, with its usage: the sum of its plans'" })
  @ApiOkResponse({ type: ProjectView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string): Promise<ProjectView> {
    return this.projects.get(tenantId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a project' })
  @ApiOkResponse({ type: ProjectView })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'validation_failed' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  update(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Body() body: UpdateProjectDto,
  ): Promise<ProjectView> {
    return this.projects.update(tenantId, id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a project; its plans stay, without a project' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse })
  async remove(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    await this.projects.remove(tenantId, id);
  }
}
