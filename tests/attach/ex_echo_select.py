#!/usr/bin/env python3
"""The reference solution of `ioscope exercise echo-select`: select.select
over the server's socket and every client's (the kernel sees pselect6)."""
import select
import socket
import sys

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen()
socks = [server]
while True:
    ready, _, _ = select.select(socks, [], [])
    for s in ready:
        if s is server:
            conn, _ = server.accept()
            socks.append(conn)
            continue
        data = s.recv(4096)
        if data:
            s.sendall(data)
        else:
            socks.remove(s)
            s.close()
