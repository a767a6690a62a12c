import { jsonBodyProblem } from './json-body.middleware';

describe('jsonBodyProblem', () => {
  it('measures objects and arrays alike', () => {
    expect(jsonBodyProblem({ a: [{ b: 1 }] }, 3)).toBeNull();
    expect(jsonBodyProblem({ a: [{ b: {} }] }, 3)).toEqual({ code: 'payload_too_deep' });
    expect(jsonBodyProblem('text', 0)).toBeNull();
  });

  it('copes with depth that would overflow a recursive walk', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(jsonBodyProblem(deep, 32)).toEqual({ code: 'payload_too_deep' });
  });

  it('refuses text PostgreSQL cannot store, in values and keys', () => {
    expect(jsonBodyProblem({ name: 'a\u0000b' }, 5)).toEqual({ code: 'invalid_text' });
    expect(jsonBodyProblem({ name: '\ud800' }, 5)).toEqual({ code: 'invalid_text' });
    expect(jsonBodyProblem({ ['\u0000']: 1 }, 5)).toEqual({ code: 'invalid_text' });
    expect(jsonBodyProblem({ name: 'emoji 🙂 and ünïcode' }, 5)).toBeNull();
  });

  it('refuses reserved keys at any depth, naming the field', () => {
    const parsed = (text: string) => JSON.parse(text) as unknown;
    expect(jsonBodyProblem(parsed('{"__proto__": {"x": 1}}'), 5)).toEqual({
      code: 'reserved_key',
      field: '__proto__',
    });
    expect(jsonBodyProblem(parsed('{"input": {"messages": [{"constructor": 1}]}}'), 5)).toEqual({
      code: 'reserved_key',
      field: 'input.messages.0.constructor',
    });
    expect(jsonBodyProblem({ settings: { prototype: null } }, 5)).toEqual({
      code: 'reserved_key',
      field: 'settings.prototype',
    });
    expect(jsonBodyProblem({ proto: 1, constructors: 2 }, 5)).toBeNull();
  });
});
