import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { ToolHeaderCipher } from '@agentq/crypto';
import { AgentTool, SealedHeader } from '@agentq/database';
import { destinationProblem, systemResolver } from '@agentq/outbound';
import {
  duplicateToolNames,
  parametersProblem,
  TOOL_LIMITS,
  ToolFieldProblem,
} from '@agentq/tools';
import { ValidationFailedError } from '../common/api-errors';
import { ToolDefinitionDto } from './dto/tool-definition.dto';

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
// Set by the worker on every call: a tool definition may not override them.
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

/**
 * Checks an agent's tool list beyond the DTO's shape (unique names, parameters that compile as
 * JSON Schema, reachable http URLs, header names) and seals secret header values.
 */
@Injectable()
export class AgentToolsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cipher: ToolHeaderCipher,
  ) {}

  /** @throws ValidationFailedError naming every bad field; nothing is written. */
  async sealed(
    tenantId: string,
    agentId: string,
    tools: readonly ToolDefinitionDto[],
  ): Promise<AgentTool[]> {
    const problems = await this.problems(tools);
    if (problems.length > 0) throw new ValidationFailedError(problems);
    return tools.map((tool): AgentTool => {
      const base = {
        name: tool.name,
        description: tool.description ?? '',
        parameters: tool.parameters,
      };
      if (tool.type === 'client') return { type: 'client', ...base };
      const headers: Record<string, SealedHeader> = {};
      for (const [header, value] of Object.entries(tool.headers ?? {})) {
        headers[header] = {
          ciphertext: this.cipher.encrypt(value, {
            tenantId,
            agentId,
            toolName: tool.name,
            header,
          }),
          last4: value.slice(-4),
        };
      }
      return {
        type: 'http',
        ...base,
        url: tool.url!,
        timeoutMs: tool.timeoutMs ?? null,
        headers,
        ...(tool.approval === 'always' ? { approval: 'always' as const } : {}),
      };
    });
  }

  private async problems(tools: readonly ToolDefinitionDto[]): Promise<ToolFieldProblem[]> {
    const problems: ToolFieldProblem[] = [];
    for (const name of duplicateToolNames(tools.map((tool) => tool.name))) {
      problems.push({ field: 'tools', message: `tool name ${name} is used more than once` });
    }
    for (const [i, tool] of tools.entries()) {
      const field = `tools[${i}]`;
      const parameters = parametersProblem(tool.parameters);
      if (parameters) problems.push({ field: `${field}.parameters`, message: parameters });
      if (tool.type === 'client') {
        if (tool.url !== undefined || tool.headers !== undefined || tool.timeoutMs !== undefined) {
          problems.push({ field, message: 'a client tool has no url, headers or timeoutMs' });
        }
        if (tool.approval === 'always') {
          problems.push({
            field: `${field}.approval`,
            message: 'a client tool is run by the client, who decides on it: only http tools ask',
          });
        }
        continue;
      }
      const url = await this.urlProblem(tool.url ?? '');
      if (url) problems.push({ field: `${field}.url`, message: url });
      problems.push(...headerProblems(`${field}.headers`, tool.headers ?? {}));
    }
    return problems;
  }

  private async urlProblem(url: string): Promise<string | null> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'must be an absolute URL';
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be http(s)';
    if (parsed.username || parsed.password) return 'must not carry credentials; use headers';
    if (!this.config.providers.blockPrivateUrls) return null;
    return destinationProblem(url, systemResolver);
  }
}

function headerProblems(field: string, headers: Record<string, unknown>): ToolFieldProblem[] {
  const entries = Object.entries(headers);
  if (entries.length > TOOL_LIMITS.headers) {
    return [{ field, message: `at most ${TOOL_LIMITS.headers} headers` }];
  }
  return entries.flatMap(([name, value]) => {
    if (!HEADER_NAME.test(name)) return [{ field, message: `${name} is not a header name` }];
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      return [{ field, message: `${name} is set by agentq` }];
    }
    if (typeof value !== 'string' || value.length > 4_000 || /[\r\n]/.test(value)) {
      return [{ field: `${field}.${name}`, message: 'must be a single-line string' }];
    }
    return [];
  });
}
