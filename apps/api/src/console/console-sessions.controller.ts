import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Auth, AuthContext, Public } from '../auth/auth.decorators';
import {
  CONSOLE_SESSION_COOKIE,
  CSRF_HEADER,
  csrfProblem,
  sessionCookieOptions,
} from '../auth/console-session';
import { CsrfError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { ConsoleLoginLinkView, ConsoleSessionView } from './console-session.view';
import { ConsoleSignIn } from './console-sign-in.service';
import { CreateConsoleSessionDto } from './dto/create-console-session.dto';

/** The web console's sign-in: a cookie session instead of a key in browser storage. */
@ApiTags('console')
@Controller('v1/console')
export class ConsoleSessionsController {
  constructor(private readonly signIn: ConsoleSignIn) {}

  @Post('sessions')
  @Public()
  @ApiOperation({
    summary: 'Sign in to the console with an API key, the admin token or a one-time login link',
    description:
      'Sets the session cookie (httpOnly, SameSite=Strict, Secure over https) and answers the CSRF token that every write with the cookie must carry as X-Agentq-Csrf. The session has the rights of the key it was opened with (a read-only key gives a read-only console) and ends when it expires, on sign-out, or when the key is revoked.',
  })
  @ApiCreatedResponse({ type: ConsoleSessionView })
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  async create(
    @Body() body: CreateConsoleSessionDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsoleSessionView> {
    const grant = await this.signIn.grantFor(body, request.ip);
    const session = await this.signIn.open(grant);
    const maxAge = Math.floor((session.expiresAt.getTime() - Date.now()) / 1000);
    reply.setCookie(
      CONSOLE_SESSION_COOKIE,
      session.secret,
      sessionCookieOptions(request.protocol, maxAge),
    );
    return this.signIn.view(session.secret);
  }

  @Get('sessions/current')
  @Public()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'The signed-in console session, with its CSRF token' })
  @ApiOkResponse({ type: ConsoleSessionView })
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  current(@Req() request: FastifyRequest): Promise<ConsoleSessionView> {
    return this.signIn.view(request.cookies[CONSOLE_SESSION_COOKIE]);
  }

  @Delete('sessions/current')
  @Public()
  @ApiCookieAuth()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Sign out: the session ends here and on every tab' })
  @ApiNoContentResponse()
  async close(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const secret = request.cookies[CONSOLE_SESSION_COOKIE];
    if (secret) {
      const csrf = csrfProblem(request.method, secret, request.headers[CSRF_HEADER]);
      if (csrf) throw new CsrfError(csrf);
      await this.signIn.close(secret);
    }
    reply.clearCookie(CONSOLE_SESSION_COOKIE, sessionCookieOptions(request.protocol));
  }

  @Post('login-links')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'A one-time link that signs a browser in to the console with this key’s rights',
    description:
      'npm start prints one for the development tenant. The token is in the URL’s fragment, which browsers never send to a server.',
  })
  @ApiCreatedResponse({ type: ConsoleLoginLinkView })
  loginLink(@Auth() caller: AuthContext): Promise<ConsoleLoginLinkView> {
    return this.signIn.loginLink(caller);
  }
}
