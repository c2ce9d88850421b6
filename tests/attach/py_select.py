#!/usr/bin/env python3
"""py_select.py: a chat server on select.select(): what one client says is
sent to all the OTHER clients (not an echo: the sender gets nothing back).

    python3 py_select.py PORT [PORTFILE]

One thread: select.select() over the listening socket and every client;
whatever a client sends is passed on, as it came, to every other client.
PORT 0 lets the kernel pick one; PORTFILE, when given, receives the port
once the server listens.  Runs until killed; SIGTERM ends it cleanly.
"""
import os
import select
import signal
import socket
import sys


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
    port = server.getsockname()[1]
    print(f"listening on port {port}", flush=True)
    if len(sys.argv) > 2:
        write_port(sys.argv[2], port)

    clients = []
    try:
        while True:
            readable, _, _ = select.select([server] + clients, [], [])
            for sock in readable:
                if sock is server:
                    conn, addr = server.accept()
                    clients.append(conn)
                    continue
                data = sock.recv(1024)
                if not data:
                    clients.remove(sock)
                    sock.close()
                    continue
                for other in clients:
                    if other is not sock:
                        other.sendall(data)
    finally:
        for c in clients:
            c.close()
        server.close()


if __name__ == "__main__":
    main()
