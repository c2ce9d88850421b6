#!/usr/bin/env python3
"""py_nonblock.py: an echo server polling non-blocking sockets by hand.

    python3 py_nonblock.py PORT [PORTFILE]

Every socket is setblocking(False); the server loops trying accept() and
recv() on each, catching BlockingIOError when there is nothing yet, and
naps 5 ms after a round with nothing to do.  PORT 0 lets the kernel pick
one; PORTFILE, when given, receives the port once the server listens.
Runs until killed; SIGTERM ends it cleanly.
"""
import os
import signal
import socket
import sys
import time


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.replace(path + ".tmp", path)


def main():
    port = int(sys.argv[1])
    signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(0))
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    server.setblocking(False)
    port = server.getsockname()[1]
    print(f"listening on port {port}", flush=True)
    if len(sys.argv) > 2:
        write_port(sys.argv[2], port)

    clients = []
    while True:
        busy = False
        try:
            conn, addr = server.accept()
            conn.setblocking(False)
            clients.append(conn)
            busy = True
        except BlockingIOError:
            pass
        for conn in clients[:]:
            try:
                data = conn.recv(1024)
            except BlockingIOError:
                continue
            busy = True
            if not data:
                clients.remove(conn)
                conn.close()
                continue
            conn.sendall(data)
        if not busy:
            time.sleep(0.005)


if __name__ == "__main__":
    main()
