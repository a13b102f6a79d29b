#!/usr/bin/env node
// The installed `tsvdc` command. A committed file rather than dist/cli/main.js itself, so
// that `npm ci` links the bin before the first build (npm skips bins whose file is missing).
import '../dist/cli/main.js';
