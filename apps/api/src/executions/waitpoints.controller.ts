import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { ErrorResponse } from '../common/error-response';
import { CompleteWaitpointDto, WaitpointCompletedView } from './dto/approvals.dto';
import { ExecutionTools } from './execution-tools.service';

/** Waitpoint links: what a Slack button or an email link posts to, with no API key. */
@ApiTags('executions')
@Public()
@Controller('v1/waitpoints')
export class WaitpointsController {
  constructor(private readonly tools: ExecutionTools) {}

  @Post(':token/complete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete an approval waitpoint by its token (no API key)',
    description:
      'The token (from the execution.requires_action webhook, or requiredAction.approvalUrl) ' +
      'is the capability: single use, valid until the wait’s deadline (actionTimeoutMs). ' +
      '`{"approve": true}` decides every call at once; `decisions` decides each. 404 for an ' +
      'unknown token (counted as a failed authentication: 429 past the limit), 409 ' +
      'waitpoint_completed when it was used, 409 action_timeout after the deadline.',
  })
  @ApiOkResponse({ type: WaitpointCompletedView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  @ApiTooManyRequestsResponse({ type: ErrorResponse })
  complete(
    @Req() request: FastifyRequest,
    @Param('token') token: string,
    @Body() body: CompleteWaitpointDto,
  ): Promise<WaitpointCompletedView> {
    return this.tools.completeWaitpoint(request.ip, token, body);
  }
}
