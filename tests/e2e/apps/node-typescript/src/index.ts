import { createServer, IncomingMessage, ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { greet } from "./greet";

// Read at run time, relative to the working directory.
const config = JSON.parse(readFileSync(join(process.cwd(), "config", "app.json"), "utf8")) as {
  greeting: string;
};

const Query = z.object({
  name: z.string().min(1).max(40).default("world"),
});

const port = Number(process.env.PORT ?? 8080);

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok\n");
    return;
  }
  const parsed = Query.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: parsed.error.issues }));
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      message: greet(config.greeting, parsed.data.name),
      env: process.env.NODE_ENV ?? "development",
    }) + "\n",
  );
}

const server = createServer(handle);
server.listen(port, () => {
  console.log(`node-typescript listening on port ${port}`);
});

// Graceful shutdown: docker stop sends SIGTERM to PID 1.
process.on("SIGTERM", () => {
  console.log("SIGTERM received, closing the server");
  server.close(() => process.exit(0));
});
