import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { ToolHeaderCipher } from '@agentq/crypto';
import { ExecutionError, HttpTool, ToolCall } from '@agentq/database';
import { formatDuration } from '@agentq/logging';
import { findOutboundError, OutboundClient } from '@agentq/outbound';
import { TOOL_LIMITS, ToolSigningSecrets } from '@agentq/tools';
import { webhookHeaders } from '@agentq/webhooks';

/** A tool's answer is cut off past this: the call ends as a tool error. */
export const MAX_TOOL_RESPONSE_BYTES = 1024 * 1024;

/** What the model is told: the tool's output, or what went wrong with the call. */
export interface ToolCallResult {
  output: string;
  error: ExecutionError | null;
  durationMs: number;
}

export interface HttpToolCallContext {
  executionId: string;
  agentId: string;
  tenantId: string;
  /** Cancel, execution timeout or shutdown: the call is dropped, not recorded. */
  signal: AbortSignal;
}

/**
 * Calls http tools: a Standard Webhooks-signed POST (the tenant's tool signing secret) through
 * the outbound client, so the provider URL policy applies. `webhook-id` is stable per tool call:
 * a call repeated after a crash can be recognised by the tool server.
 */
@Injectable()
export class HttpToolCaller implements OnApplicationShutdown {
  private readonly outbound: OutboundClient;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly secrets: ToolSigningSecrets,
    private readonly headerCipher: ToolHeaderCipher,
  ) {
    this.outbound = new OutboundClient({
      blockNonGlobalAddresses: config.providers.blockPrivateUrls,
      connectTimeoutMs: TOOL_LIMITS.maxTimeoutMs,
      responseTimeoutMs: TOOL_LIMITS.maxTimeoutMs,
      maxResponseBytes: MAX_TOOL_RESPONSE_BYTES,
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.outbound.close();
  }

  /** Rejects only when `context.signal` aborts; every failure of the tool is a result. */
  async call(
    tool: HttpTool,
    call: ToolCall,
    context: HttpToolCallContext,
  ): Promise<ToolCallResult> {
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);
    const timeoutMs = tool.timeoutMs ?? TOOL_LIMITS.defaultTimeoutMs;
    const body = JSON.stringify({
      executionId: context.executionId,
      agentId: context.agentId,
      toolCallId: call.id,
      name: call.name,
      arguments: call.arguments,
    });
    const secret = await this.secrets.forSigning(context.tenantId);
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const headers = {
        ...this.customHeaders(tool, context),
        'content-type': 'application/json',
        ...webhookHeaders(
          [secret],
          toolWebhookId(context.executionId, call.id),
          nowSeconds(),
          body,
        ),
      };
      const response = await this.outbound.fetch(tool.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([context.signal, timeout]),
      });
      const text = await response.text();
      if (!response.ok) {
        return failure(
          'tool_http_error',
          `the tool answered HTTP ${response.status}`,
          elapsed(),
          text,
        );
      }
      return { output: text, error: null, durationMs: elapsed() };
    } catch (error) {
      context.signal.throwIfAborted();
      if (timeout.aborted) {
        return failure(
          'tool_timeout',
          `the tool did not answer within ${formatDuration(timeoutMs)}`,
          elapsed(),
        );
      }
      const outbound = findOutboundError(error);
      if (outbound?.code === 'response_too_large') {
        return failure(
          'tool_response_too_large',
          `the tool's answer is larger than ${MAX_TOOL_RESPONSE_BYTES} bytes`,
          elapsed(),
        );
      }
      const message = outbound?.message ?? (error as Error).message;
      return failure('tool_unreachable', `the tool could not be called: ${message}`, elapsed());
    }
  }

  private customHeaders(tool: HttpTool, context: HttpToolCallContext): Record<string, string> {
    return Object.fromEntries(
      Object.entries(tool.headers).map(([header, sealed]) => [
        header,
        this.headerCipher.decrypt(sealed.ciphertext, {
          tenantId: context.tenantId,
          agentId: context.agentId,
          toolName: tool.name,
          header,
        }),
      ]),
    );
  }
}

/** Stable per tool call, unique across executions: what a tool server deduplicates on. */
export function toolWebhookId(executionId: string, toolCallId: string): string {
  return `tool_${executionId}_${toolCallId}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function failure(code: string, message: string, durationMs: number, body?: string): ToolCallResult {
  const detail = body ? `${message}: ${body.slice(0, 2_000)}` : message;
  return { output: `error: ${detail}`, error: { code, message }, durationMs };
}
