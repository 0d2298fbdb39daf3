#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import('../dist/src/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('autotune: not built yet; run `npm ci` (or `npm run build`) in the autotune directory first\n');
    process.exit(1);
  }
  throw error;
});
