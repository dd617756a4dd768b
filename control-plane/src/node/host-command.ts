import { execFileSync } from 'node:child_process';

/** Runs a host tool (ip, nft, umount); throws one line naming the command and its error. */
export const hostCommand = (command: string, args: readonly string[], input?: string): string => {
  try {
    return execFileSync(command, [...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === 'ENOENT')
      throw new Error(
        `${command} is not installed (Debian: apt-get install ${command === 'nft' ? 'nftables' : command === 'ip' ? 'iproute2' : 'util-linux'})`,
      );
    throw new Error(`${command} ${args.join(' ')}: ${(err.stderr ?? String(e)).trim()}`);
  }
};

/** Like hostCommand, for removals: what is already gone is not an error. */
export const hostCommandQuiet = (command: string, args: readonly string[], input?: string): boolean => {
  try {
    hostCommand(command, args, input);
    return true;
  } catch {
    return false;
  }
};
