import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, requestScope } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger('atina', 'info', sink) };
}

describe('logger', () => {
  it('adds the request id to lines the node logger writes while a request is served', () => {
    const { lines, logger } = capture();
    requestScope.run({ reqId: 'req-1' }, () => logger.warn({ peer: 'pvpt' }, 'peer jwks refresh failed'));
    logger.info('in the background');
    expect(JSON.parse(lines[0]!)).toMatchObject({ reqId: 'req-1', peer: 'pvpt' });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('reqId');
  });

  it('does not repeat it on a request logger that already binds it', () => {
    const { lines, logger } = capture();
    requestScope.run({ reqId: 'req-2' }, () => logger.child({ reqId: 'req-2' }).info('incoming request'));
    expect(lines[0]!.match(/"reqId"/g)).toHaveLength(1);
  });

  it('redacts tokens, key material, persons and bodies', () => {
    const { lines, logger } = capture();
    logger.info({ token: 't0k', jwk: { d: 'secret' }, person: { givenName: 'Drita' }, body: 'x' }, 'x');
    expect(lines[0]).not.toMatch(/t0k|secret|Drita/);
  });
});
