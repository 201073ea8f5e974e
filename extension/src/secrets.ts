/**
 * Secrets for `${secret:NAME}` references, kept in VS Code's SecretStorage (the OS keychain), never
 * in settings or files. A run child receives each stored secret as the environment variable
 * `GLEANER_SECRET_<NAME>` (NAME exactly as written in the spec, case kept), which is how the CLI
 * resolves `${secret:NAME}`.
 */
import * as vscode from 'vscode';
import { referencedSecretNames, SECRET_NAME, secretEnvName } from './secret-refs';

const KEY_PREFIX = 'gleaner.secret.';
// SecretStorage cannot list its keys in VS Code 1.90, so the names (never the values) are kept
// in globalState beside it.
const NAMES_KEY = 'gleaner.secretNames';

/** Stores, lists and clears Gleaner secrets. */
export class SecretStore {
  constructor(private readonly context: vscode.ExtensionContext) {}

  /** The names of the stored secrets, sorted. */
  names(): string[] {
    return [...(this.context.globalState.get<string[]>(NAMES_KEY) ?? [])].sort();
  }

  /** Stores `value` under `name`. */
  async set(name: string, value: string): Promise<void> {
    if (!SECRET_NAME.test(name)) throw new Error(`"${name}" is not a valid secret name.`);
    await this.context.secrets.store(KEY_PREFIX + name, value);
    const names = new Set(this.names());
    names.add(name);
    await this.context.globalState.update(NAMES_KEY, [...names]);
  }

  /** Removes the secret `name`. */
  async clear(name: string): Promise<void> {
    await this.context.secrets.delete(KEY_PREFIX + name);
    await this.context.globalState.update(NAMES_KEY, this.names().filter((n) => n !== name));
  }

  /** The environment a run child gets: one `GLEANER_SECRET_<NAME>` variable per stored secret. */
  async environment(): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const name of this.names()) {
      const value = await this.context.secrets.get(KEY_PREFIX + name);
      if (value !== undefined) env[secretEnvName(name)] = value;
    }
    return env;
  }
}

/** Set Secret: pick or type a name (suggesting those the active spec references), then the value. */
export async function setSecretCommand(store: SecretStore): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const referenced = editor ? referencedSecretNames(editor.document.getText()) : [];
  const stored = new Set(store.names());
  let name: string | undefined;
  if (referenced.length > 0) {
    const items: vscode.QuickPickItem[] = referenced.map((n) => ({ label: n, description: stored.has(n) ? 'stored — replace' : 'referenced in this spec, not stored' }));
    items.push({ label: 'Another name…', alwaysShow: true });
    const picked = await vscode.window.showQuickPick(items, { title: 'Gleaner: Set Secret', placeHolder: 'Which ${secret:NAME} to store' });
    if (!picked) return;
    name = picked.label === 'Another name…' ? undefined : picked.label;
  }
  name ??= await vscode.window.showInputBox({
    title: 'Gleaner: Set Secret',
    prompt: 'Secret name, as in ${secret:NAME}',
    validateInput: (v) => (SECRET_NAME.test(v) ? undefined : 'Letters, digits and _, not starting with a digit.'),
  });
  if (!name) return;
  const value = await vscode.window.showInputBox({ title: `Gleaner: value of ${name}`, prompt: 'Stored in the OS keychain through VS Code; never written to disk in clear.', password: true, ignoreFocusOut: true });
  if (value === undefined) return;
  await store.set(name, value);
  void vscode.window.showInformationMessage(`Secret ${name} stored. Runs receive it as ${secretEnvName(name)}.`);
}

/** Clear Secret: pick one of the stored names and delete it. */
export async function clearSecretCommand(store: SecretStore): Promise<void> {
  const names = store.names();
  if (names.length === 0) {
    void vscode.window.showInformationMessage('No Gleaner secrets are stored.');
    return;
  }
  const name = await vscode.window.showQuickPick(names, { title: 'Gleaner: Clear Secret', placeHolder: 'Secret to delete' });
  if (!name) return;
  await store.clear(name);
  void vscode.window.showInformationMessage(`Secret ${name} deleted.`);
}
