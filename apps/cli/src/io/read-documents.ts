import { constants } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';

import { fileErrorText } from '@kubevirt-migration/service';
import { type Document, parseAllDocuments } from 'yaml';

import { InputError } from './errors.js';

/** Largest input read: the KubeVirt CRD is about 0.5 MiB, a list of many VMIMs a few MiB. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** How long a pipe or device may stay silent before the read gives up (a FIFO without a writer). */
const SILENT_MS = 5000;

const reason = (e: unknown): string => {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENXIO') return 'is a socket, which cannot be opened by name (give - to read standard input)';
  return fileErrorText(e);
};

/**
 * The bytes of a file, at most MAX_FILE_BYTES of them actually read (the size a file claims is not
 * trusted: /dev/zero claims none). A pipe is opened without waiting for a writer and given up when
 * it stays silent, so the CLI never hangs on a FIFO.
 */
const readBounded = async (file: string): Promise<Buffer> => {
  if (file === '-' || file === '/dev/stdin') return readStdin(file);
  const info = await stat(file);
  if (info.isDirectory()) throw new InputError(`${file}: is a directory, not a YAML or JSON file`);
  if (info.isFile() && info.size > MAX_FILE_BYTES) {
    throw new InputError(
      `${file}: too large (${(info.size / 1048576).toFixed(1)} MiB; at most ${MAX_FILE_BYTES / 1048576} MiB is read)`,
    );
  }
  const handle = await open(file, constants.O_RDONLY | (info.isFile() ? 0 : constants.O_NONBLOCK));
  try {
    const r: ReadState = { file, fifo: info.isFIFO(), chunks: [], total: 0, silentSince: Date.now(), sawWriter: false };
    while (!(await readOnce(handle, r)));
    return Buffer.concat(r.chunks);
  } finally {
    await handle.close();
  }
};

/** A bounded read under way: what was read, and how long the pipe has been silent. */
interface ReadState {
  readonly file: string;
  readonly fifo: boolean;
  readonly chunks: Buffer[];
  total: number;
  silentSince: number;
  sawWriter: boolean;
}

const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

/** One read into `r`; true at the end of the input. */
const readOnce = async (handle: FileHandle, r: ReadState): Promise<boolean> => {
  const { file } = r;
  const buffer = Buffer.alloc(Math.min(1024 * 1024, MAX_FILE_BYTES + 1 - r.total));
  let bytesRead: number;
  try {
    ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'EAGAIN') throw e;
    // a pipe with a writer that has not written yet
    r.sawWriter = true;
    if (Date.now() - r.silentSince > SILENT_MS)
      throw new InputError(`${file}: nothing to read for ${SILENT_MS / 1000} s`);
    await pause();
    return false;
  }
  if (bytesRead === 0) {
    // end of file; for a pipe that never had a writer, keep waiting for one a little
    const writerless = r.fifo && r.total === 0 && !r.sawWriter;
    if (writerless && Date.now() - r.silentSince <= SILENT_MS) {
      await pause();
      return false;
    }
    if (writerless) throw new InputError(`${file}: a pipe that no program writes to`);
    return true;
  }
  r.silentSince = Date.now();
  r.chunks.push(buffer.subarray(0, bytesRead));
  r.total += bytesRead;
  if (r.total > MAX_FILE_BYTES) throw new InputError(`${file}: too large (more than ${MAX_FILE_BYTES / 1048576} MiB)`);
  return false;
};

/** Standard input (a pipe, a socket or a terminal), at most MAX_FILE_BYTES of it. */
const readStdin = (file: string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stdin = process.stdin;
    stdin.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_FILE_BYTES) {
        stdin.destroy();
        reject(new InputError(`${file}: too large (more than ${MAX_FILE_BYTES / 1048576} MiB)`));
      } else chunks.push(chunk);
    });
    stdin.on('end', () => resolve(Buffer.concat(chunks)));
    stdin.on('error', (e) => reject(new InputError(`${file}: cannot read: ${reason(e)}`)));
  });

/** The file's text, or an InputError naming it. */
const readText = async (file: string): Promise<string> => {
  try {
    return (await readBounded(file)).toString('utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot read: ${reason(e)}`);
  }
};

/** The first syntax error of the stream, as an InputError naming the file and the place. */
const syntaxError = (file: string, docs: readonly Document.Parsed[]): InputError | undefined => {
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const line = error.linePos?.[0];
      return new InputError(
        `${file}: not valid YAML or JSON${line ? ` (line ${line.line}, column ${line.col})` : ''}: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      );
    }
  }
  return undefined;
};

/** Reads a YAML or JSON file (a YAML stream included) into its documents, or fails naming the file. */
export const readDocuments = async (file: string): Promise<unknown[]> => {
  const text = await readText(file);
  if (text.includes('\u0000')) throw new InputError(`${file}: not YAML or JSON (binary content)`);
  try {
    const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [docs];
    const error = syntaxError(file, list);
    if (error !== undefined) throw error;
    const values = list
      .map((d) => d.toJS({ maxAliasCount: 100 }) as unknown)
      .filter((v) => v !== null && v !== undefined);
    if (values.length === 0) throw new InputError(`${file}: empty: expected a Kubernetes object`);
    return values;
  } catch (e) {
    if (e instanceof InputError) throw e;
    // the YAML library's own limits: an alias bomb, or nesting deeper than its parser's stack
    const why =
      e instanceof RangeError
        ? 'nested too deeply'
        : e instanceof Error
          ? (e.message.split('\n')[0] ?? e.name)
          : String(e);
    throw new InputError(`${file}: not usable YAML or JSON: ${why}`);
  }
};
