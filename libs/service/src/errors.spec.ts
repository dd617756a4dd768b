import { errorMessage, fileErrorText, firstLine } from './errors.js';

describe('the message of anything thrown', () => {
  it.each<[string, unknown, string]>([
    ['an Error', new Error('boom'), 'boom'],
    ['a subclass', new TypeError('not a function'), 'not a function'],
    ['a string', 'plain', 'plain'],
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
    ['an object', { code: 'X' }, '[object Object]'],
  ])('%s', (_, thrown, message) => {
    expect(errorMessage(thrown)).toBe(message);
  });

  it('firstLine keeps the first line only', () => {
    expect(firstLine(new Error('bad indentation\n  1 | a:\n  2 |  b'))).toBe('bad indentation');
    expect(firstLine('one line')).toBe('one line');
  });

  it.each<[string, unknown, string]>([
    ['ENOENT', Object.assign(new Error('ENOENT: open x'), { code: 'ENOENT' }), 'no such file'],
    ['EACCES', Object.assign(new Error('EACCES: open x'), { code: 'EACCES' }), 'permission denied'],
    ['EISDIR', Object.assign(new Error('EISDIR: read'), { code: 'EISDIR' }), 'is a directory'],
    [
      'another code',
      Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }),
      'EMFILE: too many open files',
    ],
    ['no code', new Error('odd'), 'odd'],
    ['not an object', undefined, 'undefined'],
  ])('fileErrorText of %s', (_, thrown, text) => {
    expect(fileErrorText(thrown)).toBe(text);
  });
});
