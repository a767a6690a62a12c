import { jsonBodyProblem } from './json-body.middleware';

describe('jsonBodyProblem', () => {
  it('measures objects and arrays alike', () => {
    expect(jsonBodyProblem({ a: [{ b: 1 }] }, 3)).toBeNull();
    expect(jsonBodyProblem({ a: [{ b: {} }] }, 3)).toBe('too_deep');
    expect(jsonBodyProblem('text', 0)).toBeNull();
  });

  it('copes with depth that would overflow a recursive walk', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(jsonBodyProblem(deep, 32)).toBe('too_deep');
  });

  it('refuses text PostgreSQL cannot store, in values and keys', () => {
    expect(jsonBodyProblem({ name: 'a\u0000b' }, 5)).toBe('invalid_text');
    expect(jsonBodyProblem({ name: '\ud800' }, 5)).toBe('invalid_text');
    expect(jsonBodyProblem({ ['\u0000']: 1 }, 5)).toBe('invalid_text');
    expect(jsonBodyProblem({ name: 'emoji 🙂 and ünïcode' }, 5)).toBeNull();
  });
});
