#!/usr/bin/env node
// Thin entry: the compiled program lives in dist/ (built by `npm run build`/`npm ci`).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
