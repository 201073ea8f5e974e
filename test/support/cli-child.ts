// The built CLI as a child process speaking `--json` events, for the tests that stop, kill and
// resume runs. Bounded: a child still alive after `timeoutMs` is killed and the promise rejects.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunEvent } from '../../language-server/src/engine/index';

export interface ChildRun {
  events: RunEvent[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Decides, per event (with all events so far), whether to send the child a signal (at most once). */
export type SignalOnEvent = (e: RunEvent, all: RunEvent[]) => NodeJS.Signals | undefined;

/** Runs `node <cli> <args>` with `env`; resolves when the child exits. */
export function runCliChild(cli: string, env: NodeJS.ProcessEnv, args: string[], onEvent: SignalOnEvent, timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const events: RunEvent[] = [];
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gleaner ${args.join(' ')} did not finish in ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let e: RunEvent;
      try {
        e = JSON.parse(line) as RunEvent;
      } catch {
        reject(new Error(`stdout line is not JSON: ${line}`));
        return;
      }
      events.push(e);
      if (sent) return;
      const sig = onEvent(e, events);
      if (sig) {
        sent = true;
        child.kill(sig);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ events, code, signal, stderr });
    });
  });
}
