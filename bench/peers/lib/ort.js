// Loads onnxruntime-node and creates sessions with the harness's options.
// requireOrt() exits with status 77 (the "skip" status of CTest and automake) and a clear message
// when the package is not installed, so callers can skip instead of failing.
'use strict';

function requireOrt() {
  try {
    return require('onnxruntime-node');
  } catch (e) {
    process.stderr.write('SKIP: onnxruntime-node is not installed; run ' +
      '`ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci` in bench/peers (' + e.message.split('\n')[0] + ')\n');
    process.exit(77);
  }
}

function sessionOptions(opts) {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: opts.optLevel || 'all',
    logSeverityLevel: 3,
  };
}

function ortVersion(ort) {
  return (ort.env && ort.env.versions && ort.env.versions.node) || 'unknown';
}

module.exports = { requireOrt, sessionOptions, ortVersion };
