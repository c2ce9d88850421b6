#!/usr/bin/env python3
"""py_asyncio.py: an echo server on asyncio.start_server.

    python3 py_asyncio.py PORT [PORTFILE]

One coroutine per client reads a line and writes it back (the asyncio
documentation's echo server, line by line).  PORT 0 lets the kernel pick
one; PORTFILE, when given, receives the port once the server listens.
Runs until killed; SIGTERM ends it cleanly.
"""
import asyncio
import os
import signal
import sys


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.replace(path + ".tmp", path)


async def handle_echo(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(handle_echo, "127.0.0.1", int(sys.argv[1]))
    port = server.sockets[0].getsockname()[1]
    print(f"listening on port {port}", flush=True)
    if len(sys.argv) > 2:
        write_port(sys.argv[2], port)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
