import { describe, expect, it } from 'vitest';
import { ConfigError, defaultResponseDeadlines, parseServeEnv, responseDeadlines } from './config.ts';

describe('response deadlines config', () => {
  it('defaults to 4 h, 48 h and 10 days, and takes each urgency from its own variable', () => {
    const env = parseServeEnv({});
    expect([env.BRIDGE_RESPONSE_DEADLINE_EMERGENCY_HOURS, env.BRIDGE_RESPONSE_DEADLINE_URGENT_HOURS, env.BRIDGE_RESPONSE_DEADLINE_ROUTINE_HOURS]).toEqual([4, 48, 240]);
    expect(parseServeEnv({ BRIDGE_RESPONSE_DEADLINE_URGENT_HOURS: '24' }).BRIDGE_RESPONSE_DEADLINE_URGENT_HOURS).toBe(24);
    expect(() => parseServeEnv({ BRIDGE_RESPONSE_DEADLINE_ROUTINE_HOURS: '0' })).toThrow(ConfigError);
    expect(() => parseServeEnv({ BRIDGE_RESPONSE_DEADLINE_ROUTINE_HOURS: '0' })).toThrow(/BRIDGE_RESPONSE_DEADLINE_ROUTINE_HOURS/);
  });

  it('fills in the urgencies a node config leaves out', () => {
    expect(responseDeadlines({})).toEqual(defaultResponseDeadlines);
    expect(responseDeadlines({ responseDeadlines: { ROUTINE: 1000 } })).toEqual({ ...defaultResponseDeadlines, ROUTINE: 1000 });
  });
});

describe('BRIDGE_WEBHOOK_ALLOW_LOCAL', () => {
  it('is off unless set to true, and refuses anything but true or false', () => {
    expect(parseServeEnv({}).BRIDGE_WEBHOOK_ALLOW_LOCAL).toBe(false);
    expect(parseServeEnv({ BRIDGE_WEBHOOK_ALLOW_LOCAL: 'false' }).BRIDGE_WEBHOOK_ALLOW_LOCAL).toBe(false);
    expect(parseServeEnv({ BRIDGE_WEBHOOK_ALLOW_LOCAL: 'true' }).BRIDGE_WEBHOOK_ALLOW_LOCAL).toBe(true);
    for (const value of ['yes', '1', 'TRUE', '']) expect(() => parseServeEnv({ BRIDGE_WEBHOOK_ALLOW_LOCAL: value }), value).toThrow(/BRIDGE_WEBHOOK_ALLOW_LOCAL must be true or false/);
  });
});
