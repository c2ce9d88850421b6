#!/usr/bin/env python3
"""The reference solution of `ioscope exercise echo-nonblocking-writes`:
selectors, non-blocking sockets, what send could not take kept per client
and sent when the socket is writable."""
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
pending = {}


def drop(s):
    sel.unregister(s)
    del pending[s]
    s.close()


def flush(s):
    try:
        n = s.send(pending[s])
        del pending[s][:n]
    except BlockingIOError:
        pass
    sel.modify(s, selectors.EVENT_READ | (selectors.EVENT_WRITE if pending[s] else 0))


while True:
    for key, mask in sel.select():
        s = key.fileobj
        if s is server:
            conn, _ = server.accept()
            conn.setblocking(False)
            pending[conn] = bytearray()
            sel.register(conn, selectors.EVENT_READ)
            continue
        try:
            if mask & selectors.EVENT_WRITE:
                flush(s)
            if mask & selectors.EVENT_READ:
                data = s.recv(65536)
                if not data:
                    drop(s)
                    continue
                pending[s] += data
                flush(s)
        except BlockingIOError:
            pass
        except OSError:
            drop(s)
