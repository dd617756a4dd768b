import { type FlagTable, parseFlags, usage, UsageError } from './flags.js';

const TABLE = {
  kubeconfig: { type: 'string', help: 'kubeconfig', placeholder: 'FILE' },
  'cert-file': { type: 'string', required: true, env: 'CERT_FILE', help: 'certificate' },
  port: { type: 'port', default: 9443, env: 'PORT', help: 'port' },
  'lease-duration': { type: 'seconds', default: 15, help: 'lease' },
  resync: { type: 'seconds', default: 300, zero: 'never', help: 'resync' },
  'leader-elect': { type: 'boolean', default: true, help: 'elect' },
  'log-level': { type: 'choice', default: 'info', choices: ['debug', 'info'], help: 'level' },
} as const satisfies FlagTable;

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseFlags(TABLE, argv, env);
const error = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
  try {
    parse(argv, env);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error('expected a UsageError');
};

describe('flags', () => {
  it('defaults, environment, then flags (both --name value and --name=value)', () => {
    expect(parse(['--cert-file', 'c.pem'])).toEqual({
      kubeconfig: undefined,
      'cert-file': 'c.pem',
      port: 9443,
      'lease-duration': 15,
      resync: 300,
      'leader-elect': true,
      'log-level': 'info',
    });
    expect(parse([], { CERT_FILE: 'env.pem', PORT: '8443' })).toMatchObject({ 'cert-file': 'env.pem', port: 8443 });
    expect(
      parse(
        [
          '--cert-file=f.pem',
          '--port=0',
          '--lease-duration',
          '2.5',
          '--resync=0',
          '--leader-elect=false',
          '--log-level',
          'debug',
        ],
        { PORT: '8443' },
      ),
    ).toMatchObject({
      'cert-file': 'f.pem',
      port: 0,
      'lease-duration': 2.5,
      resync: 0,
      'leader-elect': false,
      'log-level': 'debug',
    });
    expect(parse(['--cert-file=f', '--leader-elect'])).toMatchObject({ 'leader-elect': true });
    expect(parse(['--leader-elect', '--cert-file', 'f'])).toMatchObject({ 'leader-elect': true, 'cert-file': 'f' });
    expect(parse(['--leader-elect', 'false', '--cert-file', 'f'])).toMatchObject({ 'leader-elect': false });
    expect(parse(['--cert-file', '--port'])).toMatchObject({ 'cert-file': '--port', port: 9443 });
  });

  it.each([
    [['--cert-file=f', '--port', 'abc'], '--port must be a port from 0 to 65535 (0 picks a free one), not "abc"'],
    [['--cert-file=f', '--port=99999'], '--port must be a port from 0 to 65535 (0 picks a free one), not "99999"'],
    [['--cert-file=f', '--port', '-1'], '--port must be a port from 0 to 65535 (0 picks a free one), not "-1"'],
    [['--cert-file=f', '--port=-1'], '--port must be a port from 0 to 65535 (0 picks a free one), not "-1"'],
    [['--cert-file=f', '--lease-duration=-5'], '--lease-duration must be a number of seconds above 0, not "-5"'],
    [['--cert-file=f', '--lease-duration=0'], '--lease-duration must be a number of seconds above 0, not "0"'],
    [['--cert-file=f', '--lease-duration='], '--lease-duration must be a number of seconds above 0, not ""'],
    [['--cert-file=f', '--resync=soon'], '--resync must be a number of seconds (0 or more; 0: never), not "soon"'],
    [['--cert-file=f', '--leader-elect=yes'], '--leader-elect must be true or false, not "yes"'],
    [['--cert-file=f', '--log-level=trace'], '--log-level must be one of debug, info, not "trace"'],
    [['--cert-file=f', '--bogus=1'], 'unknown flag --bogus'],
    [['--cert-file=f', '--bogus', '1'], 'unknown flag --bogus'],
    [['--cert-file=f', '--', '--port=1'], 'unexpected argument "--port=1": every setting is a --flag'],
    [['--cert-file=f', 'extra'], 'unexpected argument "extra": every setting is a --flag'],
    [['--cert-file'], '--cert-file needs a value'],
    [[], '--cert-file is required (or set CERT_FILE)'],
    [['--cert-file='], '--cert-file must not be empty'],
  ])('%j is refused: %s', (argv, message) => {
    expect(error(argv)).toBe(message);
  });

  it('a bad environment value is named as such', () => {
    expect(error(['--cert-file=f'], { PORT: 'x' })).toBe(
      'PORT (environment, for --port) must be a port from 0 to 65535 (0 picks a free one), not "x"',
    );
  });

  it('--help wins over everything else', () => {
    expect(parse(['--bogus', '--help'])).toEqual({ help: true });
  });

  it('the usage lists every flag with its default and environment variable', () => {
    const text = usage('prog', 'Does a thing.', TABLE);
    expect(text.split('\n').slice(0, 2)).toEqual(['usage: prog [flags]', 'Does a thing.']);
    expect(text).toMatch(/--port N +port \(default 9443; env PORT\)/);
    expect(text).toMatch(/--cert-file VALUE +certificate \(required; env CERT_FILE\)/);
    expect(text).toMatch(/--log-level debug\|info +level \(default info\)/);
  });
});
