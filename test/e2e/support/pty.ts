// The CLI in a pseudo-terminal of a given size, as a person at an 80×24 terminal runs
// it: python3's pty module (no native dependency), the window size set on the terminal
// before the CLI starts, stdout and stderr both on the terminal. Optionally answers one
// prompt: when `expect` appears in the output, `send` is typed.
import { spawn } from 'node:child_process';
import { BIN, collect } from './cli.js';

const RUNNER = `
import os, pty, struct, fcntl, termios, sys, select
cols, rows, expect, send = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4].encode()
argv = sys.argv[5:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execvp(argv[0], argv)
out, sent = b'', False
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
    if expect and not sent and expect in out:
        os.write(fd, send); sent = True
_, st = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(st))
`;

export interface PtyResult {
  code: number | null;
  /** What the terminal showed, control sequences removed, one entry per screen line. */
  lines: string[];
  text: string;
}

/**
 * Removes colours and cursor control (ora, chalk); splits where the terminal starts a
 * new line or returns the carriage — ora returns with ESC[1G (column 1), not \r.
 */
export function screenLines(raw: string): string[] {
  /* eslint-disable no-control-regex */
  const plain = raw
    .replace(/\u001b\[1?G/g, '\r')
    .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\u001b\][^\u0007]*\u0007/g, '');
  /* eslint-enable no-control-regex */
  return plain.split(/\r\n|\n|\r/);
}

/** Width as a terminal counts it: one column per code point (the CLI prints no wide characters). */
export const columns = (line: string) => Array.from(line).length;

export async function runInPty(args: string[], o: { cols: number; rows?: number; env?: Record<string, string>; kubeconfig?: string; answer?: { expect: string; send: string }; timeoutMs?: number }): Promise<PtyResult> {
  const child = spawn('python3', ['-c', RUNNER, String(o.cols), String(o.rows ?? 24), o.answer?.expect ?? '', o.answer?.send ?? '', process.execPath, BIN, ...args], {
    // No CI: a person at a terminal (spinner, colours, prompts when asked for).
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', TERM: 'xterm-256color', ...(o.kubeconfig && { KUBECONFIG: o.kubeconfig }), ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The terminal carries the CLI's stdout and stderr; the runner's own stderr is only its failures.
  const r = await collect(child, `vh-deploy ${args.join(' ')} (in a pty)`, o.timeoutMs ?? 120_000);
  if (r.err.trim()) throw new Error(`pty runner: ${r.err}`);
  return { code: r.code, lines: screenLines(r.out), text: r.out };
}
