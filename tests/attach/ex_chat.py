#!/usr/bin/env python3
"""The reference solution of `ioscope exercise chat`: seed 003's chat
server with selectors (no thread per client); each line goes to every
other client, prefixed by who said it, and not back to its sender."""
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
partial = {}
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if s is server:
            conn, _ = server.accept()
            sel.register(conn, selectors.EVENT_READ)
            partial[conn] = b""
            continue
        data = s.recv(4096)
        if not data:
            sel.unregister(s)
            del partial[s]
            s.close()
            continue
        buf = partial[s] + data
        *lines, partial[s] = buf.split(b"\n")
        who = "{}:{}".format(*s.getpeername()).encode()
        for line in lines:
            for other in partial:
                if other is not s:
                    other.sendall(who + b" says: " + line + b"\n")
