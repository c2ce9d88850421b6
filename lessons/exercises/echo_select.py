#!/usr/bin/env python3
"""Exercise echo-select: serve many clients at once with select.

    ioscope exercise echo-select -- python3 lessons/exercises/echo_select.py {port}

As it is, this server is the blocking one: it serves one client until
that client leaves.  ioscope's clients connect one that stays quiet, and
another that waits for its echo: FAIL.  Fix the TODOs.
"""
import socket
import sys

port = int(sys.argv[1])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen()

# TODO: keep a list of sockets: the server's and every client's.  Each
# turn, call select.select(sockets, [], []) and handle only the sockets it
# returns: the server's means accept() (add the new one to the list), a
# client's means one recv() (send back what came; b"" means it left:
# remove it and close it).  Then no call waits on one client while
# another has something to say.
while True:
    conn, addr = server.accept()
    while True:
        data = conn.recv(4096)        # waits for this client only
        if not data:
            break
        conn.sendall(data)
    conn.close()
