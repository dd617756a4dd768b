import { readFileSync, statSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { InputError } from './errors.js';

/** Largest input file read: the KubeVirt CRD is about 0.5 MiB, a list of many VMIMs a few MiB. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

const reason = (e: unknown): string => {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return e instanceof Error ? e.message : String(e);
};

/** Reads a YAML or JSON file (a YAML stream included) into its documents, or fails naming the file. */
export const readDocuments = (file: string): unknown[] => {
  let text: string;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new InputError(`${file}: is a directory, not a YAML or JSON file`);
    if (stat.size > MAX_FILE_BYTES) {
      throw new InputError(`${file}: too large (${(stat.size / 1048576).toFixed(1)} MiB; at most ${MAX_FILE_BYTES / 1048576} MiB is read)`);
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot read: ${reason(e)}`);
  }
  if (text.includes('\u0000')) throw new InputError(`${file}: not YAML or JSON (binary content)`);
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const line = error.linePos?.[0];
      throw new InputError(
        `${file}: not valid YAML or JSON${line ? ` (line ${line.line}, column ${line.col})` : ''}: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      );
    }
  }
  const values = list.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown).filter((v) => v !== null && v !== undefined);
  if (values.length === 0) throw new InputError(`${file}: empty: expected a Kubernetes object`);
  return values;
};
