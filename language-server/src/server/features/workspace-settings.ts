/**
 * The network switches: Workspace Trust (`gleaner/setTrusted`) and the `gleaner` settings, read
 * with `workspace/configuration` after `initialized` and again on every
 * `workspace/didChangeConfiguration` (the pull model: the notification's payload is ignored,
 * since clients may send it empty).
 */
import { DidChangeConfigurationNotification, type Connection } from 'vscode-languageserver';
import { setTrusted, SETTINGS_SECTION } from '../../protocol';
import { combine, type Disposable, type ServerDeps } from '../deps';
import { describeError } from '../runner';

/** What the client said it supports, from `initialize`. */
export interface ClientSupport {
  configuration: boolean;
  dynamicConfigurationRegistration: boolean;
}

/** Registers the trust notification and the settings pull. Call before `connection.listen()`. */
export function register(connection: Connection, deps: ServerDeps, support: () => ClientSupport): Disposable {
  const pull = async (): Promise<void> => {
    if (!support().configuration) return;
    try {
      const settings: unknown = await connection.workspace.getConfiguration(SETTINGS_SECTION);
      deps.network.setSettings(settings);
    } catch (error) {
      // Without an answer the defaults apply; the network still needs Workspace Trust.
      deps.log.warn(`could not read the gleaner settings: ${describeError(error)}`);
      deps.network.setSettings(undefined);
    }
  };

  const subscriptions = [
    connection.onNotification(setTrusted.type, (params) => deps.network.setTrusted(params?.trusted === true)),
    connection.onDidChangeConfiguration(() => {
      void pull();
    }),
    connection.onInitialized(() => {
      if (support().dynamicConfigurationRegistration) {
        connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }).catch((error: unknown) => {
          deps.log.warn(`could not register for configuration changes: ${describeError(error)}`);
        });
      }
      void pull();
    }),
  ];
  return combine(...subscriptions);
}
