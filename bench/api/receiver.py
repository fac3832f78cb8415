#!/usr/bin/env python3
"""A webhook receiver (HTTP/1.1, answers 200) and an SMTP sink (accepts
every message) on loopback, for benchmarks that run with notifications on.
Prints the two ports, then serves until killed; counts go to stderr on exit.

    python3 bench/api/receiver.py WEBHOOK_PORT SMTP_PORT
"""

import asyncio
import http.server
import signal
import sys
import threading

counts = {"webhooks": 0, "mails": 0}


class Hook(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        counts["webhooks"] += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


async def smtp(reader, writer):
    writer.write(b"220 sink ESMTP\r\n")
    while True:
        line = await reader.readline()
        if not line:
            break
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            writer.write(b"250-sink\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            writer.write(b"354 go ahead\r\n")
            while (await reader.readline()) not in (b".\r\n", b""):
                pass
            counts["mails"] += 1
            writer.write(b"250 queued\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            break
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


def main():
    hook_port, smtp_port = int(sys.argv[1]), int(sys.argv[2])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def done(*_):
        print(f"received {counts['webhooks']} webhooks, {counts['mails']} mails", file=sys.stderr)
        sys.exit(0)

    signal.signal(signal.SIGTERM, done)
    signal.signal(signal.SIGINT, done)

    async def serve():
        sink = await asyncio.start_server(smtp, "127.0.0.1", smtp_port)
        async with sink:
            await sink.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
