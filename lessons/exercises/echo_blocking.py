#!/usr/bin/env python3
"""Exercise echo-blocking: an echo server with plain blocking calls.

    ioscope exercise echo-blocking -- python3 lessons/exercises/echo_blocking.py {port}

Run it as it is first: ioscope says FAIL, and why.  Then fix the TODO.
"""
import socket
import sys

port = int(sys.argv[1])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen()

while True:
    conn, addr = server.accept()      # blocks until a client connects
    data = conn.recv(4096)            # blocks until the client sends
    if data:
        conn.sendall(data)
    # TODO: a client sends many lines, and a line may come in pieces.
    # Keep calling recv (and sending back what it returned) until it
    # returns b"": that is the client closing.  Only then close.
    conn.close()
