import { AdapterError } from '../client/errors.js';
import { judgeProbe } from './probe.js';

const NAME = 'kubevirt-migration.harvesterhci.io';

describe('judgeProbe: what the API server’s answer to the dry run says about the webhook', () => {
  it.each([
    [
      'the webhook’s own denial',
      new AdapterError(
        'Invalid',
        `admission webhook "${NAME}" denied the request: value.parallelMigrationsPerCluster: Invalid value: 0: 0 is refused`,
        {
          status: 422,
        },
      ),
      'answered',
    ],
    [
      'nothing listening at its address',
      new AdapterError(
        'Unavailable',
        `Internal error occurred: failed calling webhook "${NAME}": failed to call webhook: Post "https://127.0.0.1:1/validate?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused`,
        { status: 500 },
      ),
      'unreachable',
    ],
    [
      'a certificate the API server does not trust',
      new AdapterError(
        'Unavailable',
        `Internal error occurred: failed calling webhook "${NAME}": failed to call webhook: Post "https://x.svc:443/validate?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
        { status: 500 },
      ),
      'unreachable',
    ],
    [
      'another webhook’s denial',
      new AdapterError('Invalid', 'admission webhook "validator.harvesterhci.io" denied the request: no', {
        status: 400,
      }),
      'failed',
    ],
    [
      'another webhook unreachable',
      new AdapterError('Unavailable', 'failed calling webhook "validator.harvesterhci.io": EOF', { status: 500 }),
      'failed',
    ],
    [
      'no permission',
      new AdapterError('Forbidden', 'settings.harvesterhci.io "kubevirt-migration" is forbidden', { status: 403 }),
      'failed',
    ],
    [
      'no such Setting',
      new AdapterError('NotFound', 'settings.harvesterhci.io "kubevirt-migration" not found', { status: 404 }),
      'failed',
    ],
    ['a network error before any answer', new Error('connect ECONNREFUSED 127.0.0.1:6443'), 'failed'],
  ])('%s', (_, error, outcome) => {
    const probe = judgeProbe(NAME, { error });
    expect(probe.outcome).toBe(outcome);
    // the API server's own words are kept, so that the reason reaches the operator
    expect(probe.message).toContain(error.message);
  });

  it('a value the webhook refuses, accepted: no webhook of that name guards the Setting', () => {
    expect(judgeProbe(NAME, { accepted: true })).toEqual({
      outcome: 'absent',
      message: expect.stringContaining(`no webhook "${NAME}" guards the Setting`) as unknown,
    });
  });
});
