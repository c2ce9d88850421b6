#!/usr/bin/env python3
"""py_sigio.py: an echo server driven by SIGIO (signal-driven IO).

    python3 py_sigio.py PORT [PORTFILE]

Each socket is non-blocking and told to signal this process when something
happens on it (fcntl F_SETOWN, then O_ASYNC).  The SIGIO handler only sets
a flag; the main loop waits in signal.pause() and, once the flag is set,
accepts whoever is waiting and reads every client until BlockingIOError,
sending back what it read.  (A SIGIO that lands between the test of the
flag and pause() would leave pause() waiting for the next one: an alarm
wakes the loop within a second to look again.)  PORT 0 lets the kernel pick one; PORTFILE, when given,
receives the port once the server listens.  Runs until killed; SIGTERM ends
it cleanly.
"""
import fcntl
import os
import signal
import socket
import sys

got_sigio = False


def on_sigio(sig, frame):
    global got_sigio
    got_sigio = True


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.replace(path + ".tmp", path)


def make_async(sock):
    sock.setblocking(False)
    fcntl.fcntl(sock, fcntl.F_SETOWN, os.getpid())
    flags = fcntl.fcntl(sock, fcntl.F_GETFL)
    fcntl.fcntl(sock, fcntl.F_SETFL, flags | os.O_ASYNC)


def main():
    global got_sigio
    port = int(sys.argv[1])
    signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(0))
    signal.signal(signal.SIGIO, on_sigio)
    signal.signal(signal.SIGALRM, lambda sig, frame: None)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    make_async(server)
    port = server.getsockname()[1]
    print(f"listening on port {port}", flush=True)
    if len(sys.argv) > 2:
        write_port(sys.argv[2], port)

    clients = []
    while True:
        signal.alarm(1)
        if not got_sigio:
            signal.pause()
            continue
        got_sigio = False
        while True:
            try:
                conn, addr = server.accept()
            except BlockingIOError:
                break
            make_async(conn)
            clients.append(conn)
        for conn in clients[:]:
            while True:
                try:
                    data = conn.recv(1024)
                except BlockingIOError:
                    break
                if not data:
                    clients.remove(conn)
                    conn.close()
                    break
                conn.sendall(data)


if __name__ == "__main__":
    main()
