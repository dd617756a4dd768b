import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What a node changed on the host, written before each change is made: the next start reads it
 * when the run that wrote it was killed, and undoes what it lists. One node per machine (the
 * bridge and the addresses are fixed), so one file.
 */
export interface NodeRecord {
  readonly pid: number;
  readonly dir: string;
  /** The host settings as they were before the node started. */
  readonly sysctls: Readonly<Record<string, string>>;
  /** Which of the host folders the node's components write existed before it started. */
  readonly hostPathsBefore: readonly string[];
  /** containerd's socket: its shims name it on their command line. */
  readonly containerdSocket: string;
  readonly shimBinary: string;
}

const FILE = join(tmpdir(), 'kubevirt-migration-node.json');

export const writeNodeRecord = (record: NodeRecord): void => writeFileSync(FILE, JSON.stringify(record));

export const readNodeRecord = (): NodeRecord | undefined => {
  if (!existsSync(FILE)) return undefined;
  try {
    return JSON.parse(readFileSync(FILE, 'utf8')) as NodeRecord;
  } catch {
    return undefined;
  }
};

export const removeNodeRecord = (): void => rmSync(FILE, { force: true });
