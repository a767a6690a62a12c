import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiKeyScope } from '@agentq/database';

export interface AuthContext {
  tenantId: string;
  apiKeyId: string;
  scopes: ApiKeyScope[];
}

export type AccessPolicy = 'public' | 'admin' | 'api-key';
export const ACCESS_POLICY = 'agentq:access-policy';

/** No authentication (health probes, docs). */
export const Public = () => SetMetadata(ACCESS_POLICY, 'public' satisfies AccessPolicy);
/** Only `Authorization: Bearer $AGENTQ_ADMIN_TOKEN`. */
export const AdminOnly = () => SetMetadata(ACCESS_POLICY, 'admin' satisfies AccessPolicy);

/** The authenticated API key's tenant and scopes. */
export const Auth = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthContext =>
    context.switchToHttp().getRequest<{ auth: AuthContext }>().auth,
);

export const TenantId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<{ auth: AuthContext }>().auth.tenantId,
);
