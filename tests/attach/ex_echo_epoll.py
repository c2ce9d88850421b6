#!/usr/bin/env python3
"""The reference solution of `ioscope exercise echo-epoll` in Python:
selectors.DefaultSelector (epoll on Linux)."""
import selectors
import socket
import sys

sel = selectors.DefaultSelector()
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen()
server.setblocking(False)
sel.register(server, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if s is server:
            conn, _ = server.accept()
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ)
            continue
        data = s.recv(4096)
        if data:
            s.sendall(data)
        else:
            sel.unregister(s)
            s.close()
