import { enableCompileCache } from 'node:module';

// V8 keeps the compiled code of every module loaded after this on disk (NODE_COMPILE_CACHE, else
// the OS temporary directory), so the next start of the process skips most of the compiling:
// about a sixth less CPU to boot (docs/operations.md).
enableCompileCache();
