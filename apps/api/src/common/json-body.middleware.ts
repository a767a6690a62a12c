import { NextFunction, Request, Response } from 'express';
import { FieldError } from './api-errors';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function refuse(
  response: Response,
  status: number,
  code: string,
  message: string,
  details?: FieldError[],
) {
  response.status(status).json({ error: { code, message, details } });
}

/** Request bodies are JSON; anything else is refused before it can be mistaken for `{}`. */
export function requireJsonBodies(request: Request, response: Response, next: NextFunction) {
  const hasBody =
    Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'];
  if (BODY_METHODS.has(request.method) && hasBody && !request.is('application/json')) {
    return refuse(
      response,
      415,
      'unsupported_media_type',
      'request bodies must be application/json',
    );
  }
  next();
}

/** PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate is not text at all. */
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

/** Runs after the JSON parser, before validation walks the body. */
export function screenJsonBodies(maxDepth: number) {
  return (request: Request, response: Response, next: NextFunction) => {
    const problem = jsonBodyProblem(request.body, maxDepth);
    switch (problem?.code) {
      case undefined:
        return next();
      case 'payload_too_deep':
        return refuse(response, 400, problem.code, `JSON nests deeper than ${maxDepth} levels`);
      case 'invalid_text':
        return refuse(
          response,
          400,
          problem.code,
          'strings may not contain NUL or unpaired surrogates',
        );
      case 'reserved_key': {
        const message = `${problem.field.split('.').pop()} is a reserved key`;
        return refuse(response, 400, 'validation_failed', 'request validation failed', [
          { field: problem.field, message },
        ]);
      }
    }
  };
}
