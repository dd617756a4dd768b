/** Progress lines of the control plane, on stderr so that stdout stays for what a user copies. */
export type Log = (message: string) => void;

export const stderrLog: Log = (message) => process.stderr.write(`[control-plane] ${message}\n`);

export const quietLog: Log = () => undefined;

export const seconds = (startMs: number): string => `${((performance.now() - startMs) / 1000).toFixed(1)} s`;
