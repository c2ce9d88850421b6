#!/usr/bin/env python3
"""Exercise echo-nonblocking-writes: echo to a client that reads slowly.

    ioscope exercise echo-nonblocking-writes -- python3 lessons/exercises/echo_nonblocking_writes.py {port}

ioscope's first client sends megabytes and does not read for a while; a second
one sends a line meanwhile.  As it is, this server blocks in sendall to
the slow one, and the other waits: FAIL.  Fix the TODOs.
"""
import socket
import sys

port = int(sys.argv[1])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen()

# TODO: serve every client at once (selectors.DefaultSelector(), as in
# echo-epoll), and never wait in a write: conn.setblocking(False); use
# conn.send (not sendall): it sends what fits and returns how much, or
# raises BlockingIOError.  Keep the rest in a bytearray of that client's,
# register the socket for EVENT_READ | EVENT_WRITE while it is not empty,
# and send more when the selector says it is writable.
while True:
    conn, addr = server.accept()
    while True:
        data = conn.recv(65536)
        if not data:
            break
        conn.sendall(data)            # waits as long as the client does not read
    conn.close()
