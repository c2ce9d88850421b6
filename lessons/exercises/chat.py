#!/usr/bin/env python3
"""Exercise chat: a chat server (lesson 12), with IO multiplexing.

    ioscope exercise chat -- python3 lessons/exercises/chat.py {port}

Each line a client sends must reach every other connected client (not
the sender), and a client that leaves must not break the others.  As it
is, this server is the blocking one: it talks to one client at a time
and only echoes back to it, so ioscope says FAIL.  Fix the TODOs.
"""
import socket
import sys

port = int(sys.argv[1])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen()

# TODO: as the seed's exercise says, no thread per client: register the
# server's socket and every client's with selectors.DefaultSelector() (or
# use select.select) and loop on what it says is ready.  When recv on a
# client returns bytes, send them to every OTHER registered client; when
# it returns b"", unregister that client, close it, and carry on.
while True:
    conn, addr = server.accept()
    while True:
        data = conn.recv(4096)        # this client only; nobody else is heard
        if not data:
            break
        conn.sendall(data)            # TODO: to the others, not to the sender
    conn.close()
