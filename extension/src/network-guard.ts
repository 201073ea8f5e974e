/**
 * The one check before anything that touches the network (runs, previews): the workspace must be
 * trusted and `gleaner.network.enabled` on. It is applied inside the command handlers, so a
 * command invoked directly (from a keybinding, a CodeLens or another extension) is refused too.
 */
import * as vscode from 'vscode';

/** True when network features may run; otherwise tells the user why not and returns false. */
export function networkAllowed(what: string): boolean {
  if (!vscode.workspace.isTrusted) {
    void vscode.window
      .showWarningMessage(`Gleaner does not ${what} in an untrusted workspace: it only checks specs there.`, 'Manage Workspace Trust')
      .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
    return false;
  }
  if (!vscode.workspace.getConfiguration('gleaner').get<boolean>('network.enabled', true)) {
    void vscode.window
      .showWarningMessage(`Gleaner does not ${what} while gleaner.network.enabled is off.`, 'Open Settings')
      .then((choice) => choice && vscode.commands.executeCommand('workbench.action.openSettings', 'gleaner.network.enabled'));
    return false;
  }
  return true;
}
