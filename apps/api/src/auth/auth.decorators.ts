import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiKeyScope } from '@agentq/database';

export interface AuthContext {
  tenantId: string;
  apiKeyId: string;
  scopes: ApiKeyScope[];
}

export type AccessPolicy = 'public' | 'admin' | 'api-key';
export const ACCESS_POLICY = 'agentq:access-policy';

/** The OpenAPI security scheme of the admin token (the API key's is `bearer`). */
export const ADMIN_TOKEN_SCHEME = 'adminToken';

// @nestjs/swagger's own metadata key: a route's `security` in the OpenAPI document. ApiSecurity
// can only add requirements, and these routes must replace the document-wide one.
const OPENAPI_SECURITY = 'swagger/apiSecurity';

/** No authentication (health probes, docs). */
export const Public = () =>
  applyDecorators(
    SetMetadata(ACCESS_POLICY, 'public' satisfies AccessPolicy),
    SetMetadata(OPENAPI_SECURITY, []),
  );
/** Only `Authorization: Bearer $AGENTQ_ADMIN_TOKEN`. */
export const AdminOnly = () =>
  applyDecorators(
    SetMetadata(ACCESS_POLICY, 'admin' satisfies AccessPolicy),
    SetMetadata(OPENAPI_SECURITY, [{ [ADMIN_TOKEN_SCHEME]: [] }]),
  );

/** The authenticated API key's tenant and scopes. */
export const Auth = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthContext =>
    context.switchToHttp().getRequest<{ auth: AuthContext }>().auth,
);

export const TenantId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<{ auth: AuthContext }>().auth.tenantId,
);
