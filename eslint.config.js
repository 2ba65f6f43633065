// Lint: typescript-eslint + the Vue plugin; raw ipcRenderer/ipcMain only inside the preload and the typed IPC wrapper.
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

const rawIpc = {
  name: 'electron',
  importNames: ['ipcRenderer', 'ipcMain'],
  message: 'Use the typed IPC wrapper (src/main/typed-ipc.ts) or window.studio; raw ipcRenderer/ipcMain is allowed only in src/preload.',
};

export default tseslint.config(
  // (root-level dot files are personal scratch files, never part of the project)
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.cache/**', '.*'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'no-restricted-imports': ['error', { paths: [rawIpc] }],
      // electron-vite injects `const require/__dirname/__filename` shims into ESM chunks that use them: a module-level
      // binding of the same name breaks the build ("Identifier 'require' has already been declared").
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Program > VariableDeclaration > VariableDeclarator[id.name=/^(require|__dirname|__filename)$/]',
          message: 'Name it differently (e.g. requireHere): the build injects its own module-level require/__dirname/__filename.',
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'electron', property: 'ipcRenderer', message: rawIpc.message },
        { object: 'electron', property: 'ipcMain', message: rawIpc.message },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts', 'src/main/typed-ipc.ts'],
    rules: { 'no-restricted-imports': 'off', 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
);
