// Runs the sample's handler as Lambda's Node runtime would on a cold start: the module imported (sharp and
// the SDK loaded), then one function URL event (ms: from before the import to the answer), then a second (warm).
const started = performance.now();
const { handler } = await import(process.argv[2]);
const path = process.argv[3];
const answer = await handler({ requestContext: { http: { method: "GET", path } }, rawPath: path });
const ms = performance.now() - started;
const again = performance.now();
await handler({ requestContext: { http: { method: "GET", path } }, rawPath: path });
const warm = performance.now() - again;
process.stdout.write("\n" + JSON.stringify({ ms, warm, status: answer.statusCode, bytes: Buffer.from(answer.body || "", "base64").length }) + "\n");
