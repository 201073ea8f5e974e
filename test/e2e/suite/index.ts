/**
 * The extension-host test entry (`extensionTestsPath`): VS Code loads this file in the extension
 * host and calls `run()`. Mocha's console output does not reach the browser in test mode, so the
 * results go to the JSON file named by `RESULTS_FILE` (set through the workbench URL's
 * `extensionEnvironment`), which `test/e2e/run.mjs` reads.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

/** One test's outcome, as written to the results file. */
export interface TestResult {
  title: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** Runs the suite; rejects when a test failed (the workbench then reports exit code 1). */
export function run(): Promise<void> {
  const resultsFile = process.env.RESULTS_FILE;
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  // GLEANER_E2E_SUITE picks the files: the trusted suite by default, `untrusted` for Restricted Mode.
  const files = process.env.GLEANER_E2E_SUITE === 'untrusted' ? ['untrusted.test.js'] : ['extension.test.js', 'records.test.js', 'new-spec.test.js', 'run-diagnostics.test.js'];
  for (const file of files) mocha.addFile(join(__dirname, file));
  const results: TestResult[] = [];
  const write = (): void => {
    if (resultsFile) writeFileSync(resultsFile, `${JSON.stringify({ results }, null, 2)}\n`);
  };
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        write();
        if (failures > 0) reject(new Error(`${failures} tests failed`));
        else resolve();
      });
      runner.on('pass', (test) => results.push({ title: test.fullTitle(), ok: true, ms: test.duration ?? 0 }));
      runner.on('fail', (test, error: unknown) =>
        results.push({ title: test.fullTitle(), ok: false, ms: test.duration ?? 0, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }),
      );
    } catch (error) {
      results.push({ title: 'loading the suite', ok: false, ms: 0, error: String(error) });
      write();
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
