import { NextFunction, Request, Response } from 'express';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function refuse(response: Response, status: number, code: string, message: string) {
  response.status(status).json({ error: { code, message } });
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

export type JsonBodyProblem = 'too_deep' | 'invalid_text' | null;

/** Walks a parsed body iteratively (hostile depth cannot overflow it) for what must not pass. */
export function jsonBodyProblem(value: unknown, maxDepth: number): JsonBodyProblem {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return 'invalid_text';
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return 'too_deep';
    for (const [key, child] of Object.entries(current)) {
      if (!isStorableText(key)) return 'invalid_text';
      stack.push([child, depth + 1]);
    }
  }
  return null;
}

/** Runs after the JSON parser, before validation walks the body. */
export function screenJsonBodies(maxDepth: number) {
  return (request: Request, response: Response, next: NextFunction) => {
    const problem = jsonBodyProblem(request.body, maxDepth);
    if (problem === 'too_deep') {
      return refuse(response, 400, 'payload_too_deep', `JSON nests deeper than ${maxDepth} levels`);
    }
    if (problem === 'invalid_text') {
      return refuse(
        response,
        400,
        'invalid_text',
        'strings may not contain NUL or unpaired surrogates',
      );
    }
    next();
  };
}
