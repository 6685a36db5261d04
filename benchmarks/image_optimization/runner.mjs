// Runs the sample's handler once, as Lambda's Node runtime would on a cold start: the module imported (sharp and
// the SDK loaded), then one function URL event. Prints the milliseconds from before the import to the answer.
const started = performance.now();
const { handler } = await import(process.argv[2]);
const path = process.argv[3];
const answer = await handler({ requestContext: { http: { method: "GET", path } }, rawPath: path });
const ms = performance.now() - started;
process.stdout.write("\n" + JSON.stringify({ ms, status: answer.statusCode, bytes: Buffer.from(answer.body || "", "base64").length }) + "\n");
