/**
 * `State` of vscode-languageclient, for the activation bundle. `dist/extension.js` must load fast,
 * so esbuild.mjs resolves `vscode-languageclient/node` there to this file (the client itself is
 * the separate bundle `dist/lsp-client.js`, loaded when the server is first needed). A module of
 * that bundle can therefore import `State` and types from the real package, and nothing else: any
 * other value import fails the build.
 */
import type { State as ClientState } from 'vscode-languageclient/node';

const values = { Stopped: 1, Starting: 3, Running: 2 } as const;

// Compile-time proof that the copy equals the real enum: a changed value fails `npm run typecheck`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAsClient: { [K in keyof typeof ClientState]: Same<(typeof ClientState)[K], (typeof values)[K]> } = { Stopped: true, Starting: true, Running: true };
void sameAsClient;

/** vscode-languageclient's `State`, with the same values (checked above). */
export const State = values as unknown as typeof ClientState;
