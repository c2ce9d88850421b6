#!/usr/bin/env python3
"""py_selectors.py: an echo server on selectors.DefaultSelector.

    python3 py_selectors.py PORT [PORTFILE]

The example of the selectors module's documentation: non-blocking sockets
registered with the default selector (epoll on Linux), each with the
function to call when it is readable.  PORT 0 lets the kernel pick one;
PORTFILE, when given, receives the port once the server listens.  Runs
until killed; SIGTERM ends it cleanly.
"""
import os
import selectors
import signal
import socket
import sys

sel = selectors.DefaultSelector()


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.replace(path + ".tmp", path)


def accept(sock, mask):
    conn, addr = sock.accept()
    conn.setblocking(False)
    sel.register(conn, selectors.EVENT_READ, read)


def read(conn, mask):
    data = conn.recv(1000)
    if data:
        conn.send(data)
    else:
        sel.unregister(conn)
        conn.close()


def main():
    port = int(sys.argv[1])
    signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(0))
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(100)
    sock.setblocking(False)
    sel.register(sock, selectors.EVENT_READ, accept)
    port = sock.getsockname()[1]
    print(f"listening on port {port}", flush=True)
    if len(sys.argv) > 2:
        write_port(sys.argv[2], port)
    while True:
        events = sel.select()
        for key, mask in events:
            callback = key.data
            callback(key.fileobj, mask)


if __name__ == "__main__":
    main()
