// Lint rules, including the import boundaries between the rooms (see ARCHITECTURE.md):
// extension → protocol ← server → engine ← cli. A boundary crossed is a lint error.
import tseslint from 'typescript-eslint';

const vscodeOnly = { group: ['vscode', 'vscode-languageclient', 'vscode-languageclient/*'], message: 'Only extension/ may use the VS Code API.' };
const lspOnly = { group: ['vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-textdocument'], message: 'Only server/ speaks LSP.' };
const engineLibs = { group: ['undici', 'cheerio', 'yaml', '**/engine', '**/engine/**'], message: 'The extension reaches the engine only through the language server or the CLI.' };
const serverRoom = { group: ['**/server', '**/server/**'], message: 'Nothing imports the LSP server room but its own entry point.' };
const cliRoom = { group: ['**/cli/**'], message: 'Nothing imports the CLI.' };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.tools/**', 'bench/.work/**', 'test/.tmp/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.ts'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['language-server/src/engine/**/*.ts'],
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [vscodeOnly, lspOnly, serverRoom, cliRoom, { group: ['**/protocol', '**/protocol/**'], message: 'The engine knows nothing of the protocol.' }] }],
    },
  },
  {
    files: ['language-server/src/server/**/*.ts'],
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [vscodeOnly, cliRoom] }],
    },
  },
  {
    files: ['language-server/src/protocol/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            vscodeOnly,
            { group: ['**/server/**', 'undici', 'cheerio', 'yaml'], message: 'The protocol module is types and method names only.' },
            // Type-only re-exports of the engine's wire types (run events) carry no code.
            { group: ['**/engine/**'], allowTypeImports: true, message: 'The protocol may re-export engine types, never engine code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['language-server/src/cli/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [vscodeOnly, lspOnly, serverRoom] }] },
  },
  {
    files: ['extension/src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [engineLibs, lspOnly, serverRoom, cliRoom] }] },
  },
  {
    files: ['media/src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [vscodeOnly, engineLibs, lspOnly, serverRoom, cliRoom] }] },
  },
);
