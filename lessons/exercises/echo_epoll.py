#!/usr/bin/env python3
"""Exercise echo-epoll: serve many clients at once with epoll.

    ioscope exercise echo-epoll -- python3 lessons/exercises/echo_epoll.py {port}

As it is, this server is the blocking one: it serves one client until
that client leaves, so a quiet client holds up everyone: FAIL.  Fix the
TODOs.
"""
import socket
import sys

port = int(sys.argv[1])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen()

# TODO: register the server's socket once with selectors.DefaultSelector()
# (epoll on Linux; or select.epoll() itself) for EVENT_READ, and every
# accepted client too.  Loop on sel.select(): it hands back only the
# sockets that are ready.  Accept on the server's; recv once on a
# client's and send back what came; on b"" unregister and close it.
while True:
    conn, addr = server.accept()
    while True:
        data = conn.recv(4096)        # waits for this client only
        if not data:
            break
        conn.sendall(data)
    conn.close()
