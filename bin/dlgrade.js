#!/usr/bin/env node
// Entry point: runs the compiled CLI (npm install builds it).
import '../dist/scripts/cli.js';
