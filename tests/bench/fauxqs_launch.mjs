// Starts fauxqs (the benchmark's SQS/SNS peer, DESIGN.md "Test peers") on
// 127.0.0.1 only and prints the port it got as its first line.
//
//     node fauxqs_launch.mjs PEER_DIR
//
// PEER_DIR is the npm prefix fauxqs was installed into (build/bench-peer).
// fauxqs's own startFauxqs() listens on 0.0.0.0, so this builds the app with
// buildApp() and listens itself. It stops on SIGTERM/SIGINT, and when its
// standard input closes, so it never outlives the benchmark that started it.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const peerDir = process.argv[2];
if (!peerDir) {
        console.error("usage: fauxqs_launch.mjs PEER_DIR");
        process.exit(2);
}
// The version is pinned (fauxqs@2.4.1), so its entry point is known.
const { buildApp } = await import(pathToFileURL(join(peerDir, "node_modules/fauxqs/dist/app.js")).href);

const app = buildApp({ logger: false });
await app.listen({ host: "127.0.0.1", port: 0 });
console.log(app.server.address().port);

let closing = false;
async function stop() {
        if (closing)
                return;
        closing = true;
        await app.close();
        process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
