#!/usr/bin/env python3
"""py_threads.py: an echo server with a thread per client.

    python3 py_threads.py PORT [PORTFILE]

The main thread accepts; each client gets a threading.Thread that recv()s
and sendall()s back until the client hangs up.  PORT 0 lets the kernel
pick one; PORTFILE, when given, receives the port once the server listens.
Runs until killed; SIGTERM ends it cleanly.
"""
import os
import signal
import socket
import sys
import threading


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.replace(path + ".tmp", path)


def handle(conn):
    with conn:
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data)


def main():
    port = int(sys.argv[1])
    signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(0))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen()
        port = server.getsockname()[1]
        print(f"listening on port {port}", flush=True)
        if len(sys.argv) > 2:
            write_port(sys.argv[2], port)
        while True:
            conn, addr = server.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
