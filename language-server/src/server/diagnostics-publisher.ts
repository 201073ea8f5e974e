/**
 * The one place diagnostics are published. It validates documents through a Validator (on a
 * worker thread in the real server), merges the findings with what other features contribute
 * (robots.txt verdicts), and enforces the rule that matters most to an editor under fast typing:
 * only the latest version of a document is ever published, and a publish never carries an older
 * version than one already sent. A result that comes back for a version the user has already
 * typed past is dropped, and the newest version is validated next.
 */
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { toLspDiagnostic } from './convert';
import { describeError, type ServerLog } from './runner';
import type { ValidationOutput, Validator } from './validator';

/**
 * Adds diagnostics for a document that was just validated. Contributors run synchronously during
 * the publish and must answer from what they already know; slow work (network) happens in the
 * background and ends in `republish`.
 */
export type DiagnosticsContributor = (document: TextDocument, output: ValidationOutput) => Diagnostic[];

/** Told after each publish of a freshly validated version. */
export type ValidatedListener = (document: TextDocument, output: ValidationOutput) => void;

/** The open documents, as far as the publisher needs them. */
export interface DocumentLookup {
  get(uri: string): TextDocument | undefined;
}

/** Publishes merged diagnostics for the latest version of each document. */
export class DiagnosticsPublisher {
  private readonly contributors = new Set<DiagnosticsContributor>();
  private readonly validatedListeners = new Set<ValidatedListener>();
  /** The validation last published per URI; nothing older is ever published again. */
  private readonly published = new Map<string, ValidationOutput>();
  /** URIs with a validation running, and whether a newer version arrived meanwhile. */
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();

  constructor(
    private readonly send: (params: PublishDiagnosticsParams) => void,
    private readonly documents: DocumentLookup,
    private readonly validator: Validator,
    private readonly log: ServerLog,
  ) {}

  /** Registers a contributor. Returns a function that removes it. */
  addContributor(contributor: DiagnosticsContributor): () => void {
    this.contributors.add(contributor);
    return () => this.contributors.delete(contributor);
  }

  /** Registers a listener for validated versions. Returns a function that removes it. */
  onDidValidate(listener: ValidatedListener): () => void {
    this.validatedListeners.add(listener);
    return () => this.validatedListeners.delete(listener);
  }

  /**
   * Validates `uri` at its current version and publishes the result if it is still current when
   * it arrives. While a validation of the document runs, further calls only mark it to be run
   * again afterwards (for whatever version is latest then). Resolves when the document is
   * published or dropped. Never rejects.
   */
  validate(uri: string): Promise<void> {
    const current = this.running.get(uri);
    if (current) {
      current.again = true;
      return current.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await this.validateOnce(uri);
        } while (state.again);
      } finally {
        this.running.delete(uri);
      }
    })();
    this.running.set(uri, state);
    return state.done;
  }

  private async validateOnce(uri: string): Promise<void> {
    const document = this.documents.get(uri);
    if (!document) return;
    const version = document.version;
    const last = this.published.get(uri);
    if (last && last.version >= version) {
      // Already published (a re-validation after a settings change): publish again with fresh contributions.
      if (last.version === version) this.afterValidation(document, last);
      return;
    }
    let output: ValidationOutput;
    try {
      output = await this.validator.validate(uri, version, document.getText());
    } catch (error) {
      this.log.error(`validation of ${uri} failed: ${describeError(error)}`);
      return;
    }
    const now = this.documents.get(uri);
    // The user typed on (or closed the file) while this version was validated: drop the result.
    if (!now || now.version !== output.version) return;
    this.published.set(uri, output);
    this.afterValidation(now, output);
  }

  private afterValidation(document: TextDocument, output: ValidationOutput): void {
    this.sendFor(document, output);
    for (const listener of this.validatedListeners) {
      try {
        listener(document, output);
      } catch (error) {
        this.log.error(`diagnostics listener failed: ${describeError(error)}`);
      }
    }
  }

  /**
   * Publishes `uri` again with fresh contributions (a robots.txt answer arrived), but only when
   * the version last published is still the document's current one. If the user has typed since,
   * the pending validation of the newer version will include the contribution anyway, and
   * republishing the old version now would show stale ranges.
   */
  republish(uri: string): void {
    const document = this.documents.get(uri);
    const output = this.published.get(uri);
    if (!document || !output || output.version !== document.version) return;
    this.sendFor(document, output);
  }

  /** The published validation of `uri` when it is of the document's current `version`. */
  current(uri: string, version: number): ValidationOutput | undefined {
    const output = this.published.get(uri);
    return output && output.version === version ? output : undefined;
  }

  /** Stops the validator. */
  dispose(): Promise<void> {
    return this.validator.dispose();
  }

  /** Clears a closed document's diagnostics and forgets it. */
  clear(uri: string): void {
    this.published.delete(uri);
    this.send({ uri, diagnostics: [] });
  }

  private sendFor(document: TextDocument, output: ValidationOutput): void {
    const diagnostics = output.diagnostics.map((d) => toLspDiagnostic(d, document.uri));
    for (const contributor of this.contributors) {
      try {
        diagnostics.push(...contributor(document, output));
      } catch (error) {
        this.log.error(`diagnostics contributor failed: ${describeError(error)}`);
      }
    }
    this.send({ uri: document.uri, version: document.version, diagnostics });
  }
}
