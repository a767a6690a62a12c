import { AppConfig } from './app-config';
import { hashTagOf, queueKeyPrefix } from './queue-key-prefix';

type Transport = AppConfig['redis']['transport'];

const cluster: Transport = {
  mode: 'cluster',
  nodes: [{ host: 'redis-0', port: 6379 }],
  auth: { tls: false },
};

describe('queueKeyPrefix', () => {
  it('keeps QUEUE_PREFIX as it is on one Redis and through Sentinel', () => {
    const standalone: Transport = { mode: 'standalone', url: 'redis://127.0.0.1:6379' };
    expect(queueKeyPrefix({ prefix: 'agentq', transport: standalone }, 'agent-executions')).toBe(
      'agentq',
    );
    const sentinel: Transport = {
      mode: 'sentinel',
      sentinels: [],
      masterName: 'mymaster',
      auth: { tls: false },
    };
    expect(queueKeyPrefix({ prefix: '{agentq}', transport: sentinel }, 'webhook-deliveries')).toBe(
      '{agentq}',
    );
  });

  it('gives each queue a hash tag of its own on a Redis Cluster', () => {
    expect(queueKeyPrefix({ prefix: '{agentq}', transport: cluster }, 'agent-executions')).toBe(
      '{agentq:agent-executions}',
    );
    expect(queueKeyPrefix({ prefix: 'prod:{aq}:v2', transport: cluster }, 'schedule-ticks')).toBe(
      'prod:{aq:schedule-ticks}:v2',
    );
    // Redis hashes the first non-empty {...} after the first `{`: that is the tag extended.
    expect(queueKeyPrefix({ prefix: '{a}{b}', transport: cluster }, 'q')).toBe('{a:q}{b}');
  });

  it('refuses a cluster prefix Redis would hash whole', () => {
    expect(() => queueKeyPrefix({ prefix: 'agentq', transport: cluster }, 'q')).toThrow(
      /no hash tag/,
    );
  });
});

describe('hashTagOf', () => {
  it('follows Redis Cluster: the first `{`, the first `}` after it, not empty', () => {
    expect(hashTagOf('{agentq}')).toEqual({ open: 0, close: 7 });
    expect(hashTagOf('a{b}c')).toEqual({ open: 1, close: 3 });
    expect(hashTagOf('agentq')).toBeUndefined();
    expect(hashTagOf('a{}{b}')).toBeUndefined();
    expect(hashTagOf('a}{b')).toBeUndefined();
  });
});
