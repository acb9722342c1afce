// The generic Kubernetes engine. Knows nothing of the stacks it deploys. Importing
// this barrel does not load @kubernetes/client-node (connect() loads it lazily).
export * from './types.js';
export * from './api-error.js';
export * from './client.js';
export * from './discovery.js';
export * from './order.js';
export * from './status.js';
export * from './pod-diagnosis.js';
export * from './selectors.js';
export * from './apply.js';
export * from './wait.js';
export * from './deploy.js';
export * from './health.js';
export * from './preflight.js';
export * from './secrets.js';
export * from './diagnostics.js';
export * from './watch.js';
