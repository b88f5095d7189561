"""The floor of an HTTPS download in Python, for artifact_download.py: the stdlib's `ssl` socket
read in a loop straight into the file, with no HTTP client at all (the headers are skipped, the
body written as it comes). What Python's TLS costs before any library of ours or httpx's.

    python benchmarks/tls_floor.py URL CA_FILE TOKEN TARGET
"""

from __future__ import annotations

import socket
import ssl
import sys
from urllib.parse import urlsplit


def main(url: str, ca_file: str, token: str, target: str) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 443
    context = ssl.create_default_context(cafile=ca_file)
    with context.wrap_socket(socket.create_connection((host, port)), server_hostname=host) as sock:
        request = (
            f"GET {parts.path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Token {token}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(request.encode())
        buffer = bytearray(1 << 20)
        view = memoryview(buffer)
        head = b""
        with open(target, "wb") as sink:
            while True:
                got = sock.recv_into(buffer)
                if not got:
                    break
                if head is not None:
                    head += bytes(view[:got])
                    end = head.find(b"\r\n\r\n")
                    if end < 0:
                        continue
                    sink.write(head[end + 4 :])
                    head = None
                    continue
                sink.write(view[:got])


if __name__ == "__main__":
    main(*sys.argv[1:5])
