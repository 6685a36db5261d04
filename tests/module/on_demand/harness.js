// Runs modules/on-demand/viewer-request.js, as rendered, the way CloudFront Functions would: the file's own code in
// a fresh V8 context that holds no require, process or Buffer, so a use of anything outside the language fails
// here as it would fail there. Reads {code, events} as JSON on stdin; writes one result per event on stdout.
"use strict";
const vm = require("vm");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { code, events } = JSON.parse(input);
  const sandbox = vm.createContext({ console });
  vm.runInContext(code, sandbox, { filename: "viewer-request.js" });
  const results = events.map((event) => {
    sandbox.__event = JSON.parse(JSON.stringify(event));
    return JSON.parse(JSON.stringify(vm.runInContext("handler(__event)", sandbox)));
  });
  process.stdout.write(JSON.stringify(results));
});
