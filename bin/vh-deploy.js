#!/usr/bin/env node
// Thin entry: the program is bundled into dist/bundle/ by `npm run build` (run by
// `npm ci` through prepare), with lazy chunks for the Kubernetes client and prompts.
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
