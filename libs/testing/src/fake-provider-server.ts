import {
  createServer,
  IncomingHttpHeaders,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { echoEmbedding } from '@agentq/llm';

/** `openai-embeddings` is OpenAI's `POST .../embeddings`, which Ollama, vLLM and LM Studio speak too. */
export type FakeProviderApi = 'openai' | 'anthropic' | 'openai-embeddings';

export type FakeProviderBehaviour =
  /**
   * A successful completion. Token counts default to a rough length / 4. A request with
   * `stream: true` gets it as Server-Sent Events in the API's own format, one chunk per entry of
   * `chunks` (default: a word each), `chunkDelayMs` apart; `dropAfterChunks` destroys the
   * connection after that many chunks, mid-stream.
   */
  | {
      kind: 'reply';
      text?: string;
      promptTokens?: number;
      completionTokens?: number;
      finishReason?: string;
      chunks?: string[];
      chunkDelayMs?: number;
      dropAfterChunks?: number;
    }
  /** The model asks for tools, in the API's own wire format (`tool_calls` or `tool_use`). */
  | {
      kind: 'tool-calls';
      calls: FakeToolCall[];
      text?: string;
      promptTokens?: number;
      completionTokens?: number;
    }
  /** An error answer in the API's own shape, with Retry-After headers when asked. */
  | {
      kind: 'error';
      status: number;
      retryAfterSeconds?: number;
      retryAfterMs?: number;
      /** OpenAI `error.code`, e.g. `insufficient_quota`. */
      code?: string;
      message?: string;
    }
  /** Wait, then behave as `then` (a default reply unless given). */
  | { kind: 'delay'; ms: number; then?: FakeProviderBehaviour }
  /** Hold the request until `until` settles (the test decides when), then behave as `then`. */
  | { kind: 'held'; until: Promise<unknown>; then?: FakeProviderBehaviour }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Reset the connection (TCP RST) without answering. */
  | { kind: 'reset' }
  /** A 200 with a JSON content type and a truncated body. */
  | { kind: 'invalid-json' }
  /** Any answer, verbatim: an HTML page from a proxy, JSON of the wrong shape, ... */
  | { kind: 'raw'; status: number; body: string; contentType?: string }
  /** A redirect (307 unless given) to `location`. */
  | { kind: 'redirect'; location: string; status?: number };

export interface FakeToolCall {
  name: string;
  arguments: unknown;
  /** Generated (unique per server) when not given. */
  id?: string;
}

export interface FakeProviderRequest {
  api: FakeProviderApi;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  model: string | null;
  /** The system prompt and every message's text, one per line: for matching markers. */
  prompt: string;
  /** When the server received it (Date.now()). */
  receivedAt: number;
}

interface Rule {
  matches: (request: FakeProviderRequest) => boolean;
  behaviour: FakeProviderBehaviour;
  timesLeft: number;
}

const DEFAULT_BEHAVIOUR: FakeProviderBehaviour = { kind: 'reply' };

/**
 * A local HTTP server that speaks OpenAI Chat Completions (`POST .../chat/completions`), OpenAI
 * Embeddings (`POST .../embeddings`: a `reply` answers each input with the echo provider's
 * hashed n-gram vector, `body.dimensions` or 384 numbers) and Anthropic Messages
 * (`POST .../v1/messages`) over a real socket, for driving the real SDKs.
 * Each request takes its behaviour from the first matching `when` rule, else the next `script`
 * entry, else the default; every request is recorded in `requests`.
 */
export class FakeProviderServer {
  readonly requests: FakeProviderRequest[] = [];
  /** Requests whose client closed the connection while a `delay` was still pending. */
  readonly abandoned: FakeProviderRequest[] = [];
  private readonly server: Server = createServer((request, response) => {
    // A client that goes away mid-body is not the test's concern.
    this.handle(request, response).catch(() => response.destroy());
  });
  private readonly scripted: FakeProviderBehaviour[] = [];
  private readonly rules: Rule[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private defaultBehaviour = DEFAULT_BEHAVIOUR;
  private answered = 0;
  private baseUrl: string | null = null;
  private inFlight = 0;
  // The most requests the server has held at once (received, not yet answered).
  peakInFlight = 0;

  /** Listens on 127.0.0.1 on a free port; `url` has no path (append `/v1` for the OpenAI SDK). */
  async start(): Promise<{ url: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return { url: this.baseUrl };
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('the fake provider server is not started');
    return this.baseUrl;
  }

  /** Closes every connection, hanging ones included, so the test process can exit. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues behaviours for the next requests that no rule matches, in order. */
  script(behaviours: FakeProviderBehaviour[]): this {
    this.scripted.push(...behaviours);
    return this;
  }

  /** What requests do once rules and script are exhausted (a reply unless set). */
  setDefault(behaviour: FakeProviderBehaviour): this {
    this.defaultBehaviour = behaviour;
    return this;
  }

  /**
   * Requests matching `matches` get `behaviour`, `times` times (always if not given). Rules are
   * tried in the order added, before the script: concurrent callers get deterministic answers by
   * model or by a marker in the prompt.
   */
  when(
    matches: (request: FakeProviderRequest) => boolean,
    behaviour: FakeProviderBehaviour,
    { times = Infinity }: { times?: number } = {},
  ): this {
    this.rules.push({ matches, behaviour, timesLeft: times });
    return this;
  }

  /** Forgets requests, rules, script and default; the server keeps listening. */
  clear(): void {
    this.requests.length = 0;
    this.scripted.length = 0;
    this.rules.length = 0;
    this.defaultBehaviour = DEFAULT_BEHAVIOUR;
    this.peakInFlight = this.inFlight;
  }

  /** Resolves once `count` requests in all have been received. */
  waitForRequests(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private async handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (incoming.url ?? '/').split('?')[0];
    const api = apiOf(incoming.method, path);
    const raw = await readBody(incoming);
    if (!api) return sendJson(response, 404, { error: { message: `no route for ${path}` } });
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendJson(response, 400, { error: { message: 'the body is not JSON' } });
    }
    const request = recordedRequest(api, incoming, path, isRecord(body) ? body : {});
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    response.once('close', () => (this.inFlight -= 1));
    this.record(request);
    this.perform(this.nextBehaviour(request), request, response);
  }

  private record(request: FakeProviderRequest) {
    this.requests.push(request);
    for (const waiter of [...this.waiters]) {
      if (this.requests.length < waiter.count) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  private nextBehaviour(request: FakeProviderRequest): FakeProviderBehaviour {
    const rule = this.rules.find(
      (candidate) => candidate.timesLeft > 0 && candidate.matches(request),
    );
    if (rule) {
      rule.timesLeft -= 1;
      return rule.behaviour;
    }
    return this.scripted.shift() ?? this.defaultBehaviour;
  }

  private perform(
    behaviour: FakeProviderBehaviour,
    request: FakeProviderRequest,
    response: ServerResponse,
  ): void {
    switch (behaviour.kind) {
      case 'reply':
        return this.reply(behaviour, request, response);
      case 'tool-calls':
        return this.replyWithToolCalls(behaviour, request, response);
      case 'error':
        return sendError(behaviour, request.api, response);
      case 'delay': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.perform(behaviour.then ?? DEFAULT_BEHAVIOUR, request, response);
        }, behaviour.ms);
        this.timers.add(timer);
        response.once('close', () => {
          if (this.timers.has(timer)) this.abandoned.push(request);
          clearTimeout(timer);
          this.timers.delete(timer);
        });
        return;
      }
      case 'held':
        void behaviour.until.finally(() =>
          this.perform(behaviour.then ?? DEFAULT_BEHAVIOUR, request, response),
        );
        return;
      case 'hang':
        return;
      case 'reset':
        response.socket?.resetAndDestroy();
        return;
      case 'invalid-json':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"id": "truncated", "choices": [');
        return;
      case 'raw':
        response.writeHead(behaviour.status, {
          'content-type': behaviour.contentType ?? 'application/json',
        });
        response.end(behaviour.body);
        return;
      case 'redirect':
        response.writeHead(behaviour.status ?? 307, { location: behaviour.location });
        response.end();
        return;
    }
  }

  private replyWithToolCalls(
    behaviour: Extract<FakeProviderBehaviour, { kind: 'tool-calls' }>,
    request: FakeProviderRequest,
    response: ServerResponse,
  ): void {
    this.answered += 1;
    const calls = behaviour.calls.map((call, i) => ({
      ...call,
      id: call.id ?? `call_fake_${this.answered}_${i}`,
    }));
    const text = behaviour.text ?? '';
    const body = toolCallsBody(
      request.api,
      {
        id: `${request.api === 'openai' ? 'chatcmpl' : 'msg'}-fake-${this.answered}`,
        model: request.model ?? 'fake-model',
        text,
        calls,
      },
      {
        promptTokens: behaviour.promptTokens ?? roughTokenCount(request.prompt),
        completionTokens:
          behaviour.completionTokens ?? roughTokenCount(JSON.stringify(behaviour.calls)),
      },
    );
    if (request.body.stream === true) {
      const events = toolCallStreamEvents(request.api, body);
      return this.sendEventStream(response, events, { kind: 'reply' });
    }
    sendJson(response, 200, body);
  }

  private reply(
    behaviour: Extract<FakeProviderBehaviour, { kind: 'reply' }>,
    request: FakeProviderRequest,
    response: ServerResponse,
  ): void {
    this.answered += 1;
    if (request.api === 'openai-embeddings') return sendEmbeddings(request, response, behaviour);
    const text = behaviour.text ?? `fake reply to: ${lastUserText(request.body)}`;
    const promptTokens = behaviour.promptTokens ?? roughTokenCount(request.prompt);
    const completionTokens = behaviour.completionTokens ?? roughTokenCount(text);
    const model = request.model ?? 'fake-model';
    if (request.body.stream === true) {
      const events =
        request.api === 'openai'
          ? openAiStreamEvents(
              this.answered,
              model,
              text,
              behaviour,
              promptTokens,
              completionTokens,
            )
          : anthropicStreamEvents(
              this.answered,
              model,
              text,
              behaviour,
              promptTokens,
              completionTokens,
            );
      return this.sendEventStream(response, events, behaviour);
    }
    if (request.api === 'openai') {
      return sendJson(response, 200, {
        id: `chatcmpl-fake-${this.answered}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text, refusal: null },
            logprobs: null,
            finish_reason: behaviour.finishReason ?? 'stop',
          },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      });
    }
    return sendJson(response, 200, {
      id: `msg_fake_${this.answered}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: behaviour.finishReason ?? 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: promptTokens, output_tokens: completionTokens },
    });
  }

  // Writes the events `chunkDelayMs` apart (chunks only), dropping the connection when scripted.
  private sendEventStream(
    response: ServerResponse,
    events: StreamEvent[],
    behaviour: ReplyBehaviour,
  ): void {
    if (response.destroyed) return;
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let chunksSent = 0;
    const writeFrom = (index: number): void => {
      for (let i = index; i < events.length; i += 1) {
        if (response.destroyed) return;
        const event = events[i];
        if (event.chunk) {
          if (chunksSent === behaviour.dropAfterChunks) {
            // After a moment, so the chunks already written reach the client first.
            const timer = setTimeout(() => {
              this.timers.delete(timer);
              response.socket?.destroy();
            }, 50);
            this.timers.add(timer);
            return;
          }
          if (chunksSent > 0 && behaviour.chunkDelayMs) {
            chunksSent += 1;
            const timer = setTimeout(() => {
              this.timers.delete(timer);
              if (response.destroyed) return;
              response.write(formatEvent(event));
              writeFrom(i + 1);
            }, behaviour.chunkDelayMs);
            this.timers.add(timer);
            return;
          }
          chunksSent += 1;
        }
        response.write(formatEvent(event));
      }
      response.end();
    };
    writeFrom(0);
  }
}

// One Server-Sent Event; `chunk` marks those that carry a text delta.
interface StreamEvent {
  event?: string;
  data: unknown;
  chunk?: boolean;
}

type ReplyBehaviour = Extract<FakeProviderBehaviour, { kind: 'reply' }>;

const deltasOf = (text: string, behaviour: ReplyBehaviour) =>
  behaviour.chunks ?? text.match(/\s*\S+|\s+$/g) ?? [];

// Chat Completions chunks, the usage chunk that `stream_options.include_usage` asks for, [DONE].
function openAiStreamEvents(
  answered: number,
  model: string,
  text: string,
  behaviour: ReplyBehaviour,
  promptTokens: number,
  completionTokens: number,
): StreamEvent[] {
  const base = {
    id: `chatcmpl-fake-${answered}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
  };
  const choice = (delta: Record<string, unknown>, finishReason?: string) =>
    openAiChunk(base, delta, finishReason).data;
  return [
    openAiChunk(base, { role: 'assistant', content: '' }),
    ...deltasOf(text, behaviour).map((content) => ({ data: choice({ content }), chunk: true })),
    openAiChunk(base, {}, behaviour.finishReason ?? 'stop'),
    {
      data: {
        ...base,
        choices: [],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      },
    },
    { data: '[DONE]' },
  ];
}

// Messages streaming events, from message_start to message_stop.
function anthropicStreamEvents(
  answered: number,
  model: string,
  text: string,
  behaviour: ReplyBehaviour,
  promptTokens: number,
  completionTokens: number,
): StreamEvent[] {
  return [
    anthropicEvent('message_start', {
      message: {
        id: `msg_fake_${answered}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: promptTokens, output_tokens: 1 },
      },
    }),
    anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    anthropicEvent('ping', {}),
    ...deltasOf(text, behaviour).map((delta) =>
      anthropicEvent(
        'content_block_delta',
        { index: 0, delta: { type: 'text_delta', text: delta } },
        true,
      ),
    ),
    anthropicEvent('content_block_stop', { index: 0 }),
    anthropicEvent('message_delta', {
      delta: { stop_reason: behaviour.finishReason ?? 'end_turn', stop_sequence: null },
      usage: { output_tokens: completionTokens },
    }),
    anthropicEvent('message_stop', {}),
  ];
}

// One Chat Completions chunk of the completion `base` (id, model, created) carrying `delta`.
function openAiChunk(
  base: Record<string, unknown>,
  delta: Record<string, unknown>,
  finishReason: string | null = null,
): StreamEvent {
  return {
    data: {
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    },
  };
}

// One Messages streaming event; `chunk` when it carries a delta of the answer's text.
function anthropicEvent(type: string, data: Record<string, unknown>, chunk = false): StreamEvent {
  return { event: type, data: { type, ...data }, chunk };
}

function formatEvent({ event, data }: StreamEvent): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`;
}

// The same answer streamed: OpenAI chunks carrying `delta.tool_calls` (arguments in two
// pieces), or Anthropic `tool_use` blocks filled by `input_json_delta`s.
function toolCallStreamEvents(api: FakeProviderApi, body: Record<string, unknown>): StreamEvent[] {
  const halves = (text: string) => [text.slice(0, text.length >> 1), text.slice(text.length >> 1)];
  if (api === 'openai') {
    const { choices, usage, ...base } = body as {
      choices: { message: { content: string | null; tool_calls: OpenAiToolCall[] } }[];
      usage: unknown;
    };
    const { message } = choices[0];
    const chunk = (delta: Record<string, unknown>, finishReason?: string) =>
      openAiChunk(base, delta, finishReason);
    return [
      chunk({ role: 'assistant', content: message.content ?? '' }),
      ...message.tool_calls.flatMap((call, index) => {
        const [first, second] = halves(call.function.arguments);
        return [
          chunk({
            tool_calls: [
              {
                index,
                id: call.id,
                type: 'function',
                function: { name: call.function.name, arguments: first },
              },
            ],
          }),
          chunk({ tool_calls: [{ index, function: { arguments: second } }] }),
        ];
      }),
      chunk({}, 'tool_calls'),
      { data: { ...base, object: 'chat.completion.chunk', choices: [], usage } },
      { data: '[DONE]' },
    ];
  }
  const { content, usage, ...message } = body as {
    content: { type: string; text?: string; id?: string; name?: string; input?: unknown }[];
    usage: { input_tokens: number; output_tokens: number };
  };
  return [
    anthropicEvent('message_start', {
      message: {
        ...message,
        content: [],
        stop_reason: null,
        usage: { input_tokens: usage.input_tokens, output_tokens: 1 },
      },
    }),
    ...content.flatMap((block, index) => {
      if (block.type === 'text') {
        return [
          anthropicEvent('content_block_start', {
            index,
            content_block: { type: 'text', text: '' },
          }),
          anthropicEvent('content_block_delta', {
            index,
            delta: { type: 'text_delta', text: block.text },
          }),
          anthropicEvent('content_block_stop', { index }),
        ];
      }
      return [
        anthropicEvent('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        }),
        ...halves(JSON.stringify(block.input)).map((partial) =>
          anthropicEvent('content_block_delta', {
            index,
            delta: { type: 'input_json_delta', partial_json: partial },
          }),
        ),
        anthropicEvent('content_block_stop', { index }),
      ];
    }),
    anthropicEvent('message_delta', {
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
    anthropicEvent('message_stop', {}),
  ];
}

interface OpenAiToolCall {
  id: string;
  function: { name: string; arguments: string };
}

function toolCallsBody(
  api: FakeProviderApi,
  answer: { id: string; model: string; text: string; calls: Required<FakeToolCall>[] },
  usage: { promptTokens: number; completionTokens: number },
): Record<string, unknown> {
  if (api === 'openai') {
    return {
      id: answer.id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: answer.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: answer.text || null,
            refusal: null,
            tool_calls: answer.calls.map((call) => ({
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: JSON.stringify(call.arguments) },
            })),
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: usage.promptTokens,
        completion_tokens: usage.completionTokens,
        total_tokens: usage.promptTokens + usage.completionTokens,
      },
    };
  }
  return {
    id: answer.id,
    type: 'message',
    role: 'assistant',
    model: answer.model,
    content: [
      ...(answer.text ? [{ type: 'text', text: answer.text }] : []),
      ...answer.calls.map((call) => ({
        type: 'tool_use',
        id: call.id,
        name: call.name,
        input: call.arguments,
      })),
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: usage.promptTokens, output_tokens: usage.completionTokens },
  };
}

function apiOf(method: string | undefined, path: string): FakeProviderApi | null {
  if (method !== 'POST') return null;
  if (path.endsWith('/chat/completions')) return 'openai';
  if (path.endsWith('/embeddings')) return 'openai-embeddings';
  if (path.endsWith('/v1/messages')) return 'anthropic';
  return null;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function recordedRequest(
  api: FakeProviderApi,
  incoming: IncomingMessage,
  path: string,
  body: Record<string, unknown>,
): FakeProviderRequest {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const inputs = api === 'openai-embeddings' ? embeddingInputs(body) : [];
  const prompt = [body.system, ...messages.map((message) => message?.content), ...inputs]
    .map(textOf)
    .filter(Boolean)
    .join('\n');
  return {
    api,
    method: incoming.method ?? 'POST',
    path,
    headers: incoming.headers,
    body,
    model: typeof body.model === 'string' ? body.model : null,
    prompt,
    receivedAt: Date.now(),
  };
}

// Message content is a string or a list of parts with `text`, in both APIs.
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const lastUser = [...messages].reverse().find((message) => message?.role === 'user');
  return textOf(lastUser?.content);
}

// Deterministic and good enough for a fake; script exact counts when a test asserts them.
const roughTokenCount = (text: string) => Math.max(1, Math.ceil(text.length / 4));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

function sendError(
  behaviour: Extract<FakeProviderBehaviour, { kind: 'error' }>,
  api: FakeProviderApi,
  response: ServerResponse,
): void {
  const headers: Record<string, string> = {};
  if (behaviour.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(behaviour.retryAfterSeconds);
  }
  if (behaviour.retryAfterMs !== undefined)
    headers['retry-after-ms'] = String(behaviour.retryAfterMs);
  const message = behaviour.message ?? `fake provider error ${behaviour.status}`;
  const body =
    api !== 'anthropic'
      ? { error: { message, type: 'fake_error', param: null, code: behaviour.code ?? null } }
      : {
          type: 'error',
          error: { type: ANTHROPIC_ERROR_TYPES[behaviour.status] ?? 'api_error', message },
        };
  sendJson(response, behaviour.status, body, headers);
}

function embeddingInputs(body: Record<string, unknown>): string[] {
  if (typeof body.input === 'string') return [body.input];
  return Array.isArray(body.input) ? body.input.map(String) : [];
}

// OpenAI's embeddings answer, float encoding: one vector per input, in order, with its index.
function sendEmbeddings(
  request: FakeProviderRequest,
  response: ServerResponse,
  behaviour: Extract<FakeProviderBehaviour, { kind: 'reply' }>,
): void {
  const inputs = embeddingInputs(request.body);
  const dimensions = typeof request.body.dimensions === 'number' ? request.body.dimensions : 384;
  const promptTokens =
    behaviour.promptTokens ?? inputs.reduce((sum, text) => sum + roughTokenCount(text), 0);
  sendJson(response, 200, {
    object: 'list',
    data: inputs.map((text, index) => ({
      object: 'embedding',
      index,
      embedding: echoEmbedding(text, dimensions),
    })),
    model: request.model ?? 'fake-embedding',
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
