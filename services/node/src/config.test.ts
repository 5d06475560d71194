import { describe, expect, it } from 'vitest';
import { checkFederationTransport, checkListeners, ConfigError, defaultResponseDeadlines, parseServeEnv, responseDeadlines } from './config.ts';

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

describe('listeners config', () => {
  it('binds both listeners to 127.0.0.1 by default, federation on 4100 and private on 4200', () => {
    const env = parseServeEnv({});
    expect([env.BRIDGE_FEDERATION_HOST, env.BRIDGE_FEDERATION_PORT, env.BRIDGE_PRIVATE_HOST, env.BRIDGE_PRIVATE_PORT]).toEqual(['127.0.0.1', 4100, '127.0.0.1', 4200]);
    expect(parseServeEnv({ BRIDGE_FEDERATION_HOST: '0.0.0.0', BRIDGE_PRIVATE_PORT: '9000' })).toMatchObject({ BRIDGE_FEDERATION_HOST: '0.0.0.0', BRIDGE_PRIVATE_PORT: 9000 });
    expect(() => parseServeEnv({ BRIDGE_PRIVATE_PORT: '70000' })).toThrow(/BRIDGE_PRIVATE_PORT must be a whole number from 0 to 65535/);
  });

  it('refuses two listeners on one address, a wildcard address included', () => {
    const at = (host: string, port: number) => ({ host, port });
    expect(() => checkListeners({ federation: at('127.0.0.1', 4100), private: at('127.0.0.1', 4100) })).toThrow(ConfigError);
    expect(() => checkListeners({ federation: at('0.0.0.0', 4100), private: at('127.0.0.1', 4100) })).toThrow(/cannot both use 0\.0\.0\.0:4100/);
    expect(() => checkListeners({ federation: at('10.0.0.5', 4100), private: at('127.0.0.1', 4100) })).not.toThrow();
    expect(() => checkListeners({ federation: at('127.0.0.1', 0), private: at('127.0.0.1', 0) })).not.toThrow();
    expect(() => checkListeners({ federation: at('127.0.0.1', 4100), private: at('127.0.0.1', 4200) })).not.toThrow();
  });
});

describe('federation transport', () => {
  const tls = [{ certificate: '-----BEGIN CERTIFICATE-----', privateKey: '-----BEGIN PRIVATE KEY-----', validFrom: '2026-01-01T00:00:00Z', validUntil: null }];
  it('needs TLS unless BRIDGE_FEDERATION_PLAIN_HTTP is set to true, and then an https public URL', () => {
    expect(parseServeEnv({}).BRIDGE_FEDERATION_PLAIN_HTTP).toBe(false);
    expect(parseServeEnv({ BRIDGE_FEDERATION_PLAIN_HTTP: 'true' }).BRIDGE_FEDERATION_PLAIN_HTTP).toBe(true);
    expect(() => parseServeEnv({ BRIDGE_FEDERATION_PLAIN_HTTP: 'yes' })).toThrow(/BRIDGE_FEDERATION_PLAIN_HTTP must be true or false/);
    expect(() => checkFederationTransport({ publicUrl: 'https://a.example' })).toThrow(/needs a TLS certificate/);
    expect(() => checkFederationTransport({ publicUrl: 'http://a.example', tls })).toThrow(/is not https/);
    expect(() => checkFederationTransport({ publicUrl: 'https://a.example', tls })).not.toThrow();
    expect(() => checkFederationTransport({ publicUrl: 'http://a.example', federationPlainHttp: true })).not.toThrow();
  });
});
