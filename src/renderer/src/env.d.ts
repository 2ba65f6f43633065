// Type declarations for the renderer: .vue single-file components and side-effect CSS imports.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare module '*.css';
