import { HttpStatus } from '@nestjs/common';
import { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ApiError, ValidationFailedError } from './api-errors';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

const isJsonMediaType = (contentType: string | undefined) =>
  contentType?.split(';', 1)[0].trim().toLowerCase() === 'application/json';

// JSON exchanged between systems is UTF-8 (RFC 8259 §8.1); the parser reads every body as such.
const UTF8_NAMES = new Set(['utf-8', 'utf8']);

// The charset a Content-Type declares, lower-cased; undefined when it declares none.
const declaredCharset = (contentType: string) =>
  /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType)?.[1].toLowerCase();

const unsupportedMediaType = (message: string, details?: unknown) =>
  new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'unsupported_media_type', message, details);

/**
 * Request bodies are UTF-8 JSON; anything else is refused before it can be mistaken for `{}`
 * or decoded as what it is not.
 */
export function requireJsonBodies(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
) {
  const hasBody =
    Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'];
  if (!BODY_METHODS.has(request.method) || !hasBody) return done();
  const contentType = request.headers['content-type'];
  if (!isJsonMediaType(contentType)) {
    return done(unsupportedMediaType('request bodies must be application/json'));
  }
  const charset = declaredCharset(contentType!);
  if (charset !== undefined && !UTF8_NAMES.has(charset)) {
    return done(
      unsupportedMediaType(`charset ${charset} is not supported: JSON request bodies are UTF-8`, {
        charset,
      }),
    );
  }
  done();
}

// PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate is not text at all.
const isStorableText = (text: string) =>
  !text.includes('\u0000') && (text as string & { isWellFormed(): boolean }).isWellFormed();

// Keys that reach Object.prototype or a constructor when a body is merged or assigned somewhere.
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonBodyProblem =
  { code: 'payload_too_deep' } | { code: 'invalid_text' } | { code: 'reserved_key'; field: string };

interface Visit {
  value: unknown;
  depth: number;
  key: string;
  parent: Visit | null;
}

// The path is only built for a refusal, so the walk allocates no strings on the common path.
const pathOf = (visit: Visit) => {
  const keys: string[] = [];
  for (let at: Visit | null = visit; at?.parent; at = at.parent) keys.unshift(at.key);
  return keys.join('.');
};

/** Walks a parsed body iteratively (hostile depth cannot overflow it) for what must not pass. */
export function jsonBodyProblem(value: unknown, maxDepth: number): JsonBodyProblem | null {
  const stack: Visit[] = [{ value, depth: 0, key: '', parent: null }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const current = visit.value;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return { code: 'invalid_text' };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (visit.depth >= maxDepth) return { code: 'payload_too_deep' };
    for (const [key, child] of Object.entries(current)) {
      if (!isStorableText(key)) return { code: 'invalid_text' };
      const next = { value: child, depth: visit.depth + 1, key, parent: visit };
      if (RESERVED_KEYS.has(key)) return { code: 'reserved_key', field: pathOf(next) };
      stack.push(next);
    }
  }
  return null;
}

// The refusal for what the screening found: always a 400 in the API's error shape.
function bodyProblemError(problem: JsonBodyProblem, maxDepth: number): ApiError {
  switch (problem.code) {
    case 'payload_too_deep':
      return new ApiError(
        HttpStatus.BAD_REQUEST,
        problem.code,
        `JSON nests deeper than ${maxDepth} levels`,
      );
    case 'invalid_text':
      return new ApiError(
        HttpStatus.BAD_REQUEST,
        problem.code,
        'strings may not contain NUL or unpaired surrogates',
      );
    case 'reserved_key': {
      const message = `${problem.field.split('.').pop()} is a reserved key`;
      return new ValidationFailedError([{ field: problem.field, message }]);
    }
  }
}

/**
 * The one JSON body parser: strict (an object or an array at the top, like Express's), then
 * screened before validation walks the body. An empty body is no body.
 */
export function parseJsonBodies(maxDepth: number) {
  return (
    _request: FastifyRequest,
    text: string,
    done: (error: Error | null, body?: unknown) => void,
  ) => {
    if (text === '') return done(null, undefined);
    const first = text.trimStart()[0];
    if (first !== '{' && first !== '[') {
      return done(
        new ApiError(
          HttpStatus.BAD_REQUEST,
          'bad_request',
          'a JSON body must be an object or an array',
        ),
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return done(new ApiError(HttpStatus.BAD_REQUEST, 'bad_request', (error as Error).message));
    }
    const problem = jsonBodyProblem(body, maxDepth);
    return problem ? done(bodyProblemError(problem, maxDepth)) : done(null, body);
  };
}
