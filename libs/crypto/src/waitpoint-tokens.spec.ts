import { randomBytes, randomUUID } from 'node:crypto';
import {
  WAITPOINT_TOKEN_PATTERN,
  waitpointTokenHash,
  waitpointTokenMatches,
  WaitpointTokens,
} from './waitpoint-tokens';

const masterKey = randomBytes(32).toString('base64');

describe('WaitpointTokens', () => {
  it('gives each waitpoint its own 256-bit token, the same every time it is asked', () => {
    const tokens = new WaitpointTokens(masterKey);
    const id = randomUUID();
    const token = tokens.tokenOf(id);
    expect(token).toMatch(WAITPOINT_TOKEN_PATTERN);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(tokens.tokenOf(id)).toBe(token);
    expect(tokens.tokenOf(randomUUID())).not.toBe(token);
  });

  it('cannot be computed without the master key', () => {
    const id = randomUUID();
    const other = new WaitpointTokens(randomBytes(32).toString('base64'));
    expect(other.tokenOf(id)).not.toBe(new WaitpointTokens(masterKey).tokenOf(id));
  });

  it('matches a token against its stored hash only', () => {
    const token = new WaitpointTokens(masterKey).tokenOf(randomUUID());
    const stored = waitpointTokenHash(token);
    expect(stored).toHaveLength(32);
    expect(waitpointTokenMatches(token, stored)).toBe(true);
    expect(waitpointTokenMatches(`${token.slice(0, -1)}A`, stored)).toBe(token.endsWith('A'));
    expect(waitpointTokenMatches(token, Buffer.alloc(31))).toBe(false);
  });
});
