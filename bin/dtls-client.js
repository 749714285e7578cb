#!/usr/bin/env node
// npx dtls-client: runs the compiled CLI (make build writes dist/).
const { main } = require("../dist/host/cli.js");
main(process.argv.slice(2)).then((code) => process.exit(code));
