import { styleText } from 'node:util';

type Color = 'red' | 'green' | 'yellow' | 'cyan' | 'bold' | 'dim';

/** Colours text when `enabled` (a TTY without NO_COLOR); plain otherwise. */
export const stylist =
  (enabled: boolean) =>
  (color: Color, text: string): string =>
    enabled ? styleText(color, text, { validateStream: false }) : text;

export type Stylist = ReturnType<typeof stylist>;

/** Colour for a stream, as the convention goes: only a TTY, and never with NO_COLOR set. */
export const colorFor = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean =>
  stream.isTTY === true && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '') && env['TERM'] !== 'dumb';
