"""HTTPS in front of the local runner, for clients that speak nothing else (dbt-cloud-cli 0.9.1 puts
`https://` before any host it is given).

A TLS-terminating TCP proxy on 127.0.0.1: each connection's bytes go to the runner as they are, so
the runner sees exactly the requests the client wrote (paths, headers, keep-alive). The certificate
is issued for 127.0.0.1 by a throwaway certificate authority (trustme); clients trust it through
`REQUESTS_CA_BUNDLE` (requests) or `SSL_CERT_FILE`.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
from pathlib import Path
from urllib.parse import urlsplit

import trustme


class TlsProxy:
    def __init__(self, upstream: str, folder: Path) -> None:
        target = urlsplit(upstream)
        self._upstream = (target.hostname or "127.0.0.1", target.port or 80)
        authority = trustme.CA()
        certificate = authority.issue_cert("127.0.0.1")
        self.ca_bundle = folder / "tls-proxy-ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_bundle))
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        certificate.configure_cert(self._context)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stopped = threading.Event()
        self.host = f"127.0.0.1:{self._listener.getsockname()[1]}"

    def start(self) -> TlsProxy:
        threading.Thread(target=self._accept, name="tls-proxy", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            secure = self._context.wrap_socket(client, server_side=True)
        except (OSError, ssl.SSLError):
            client.close()
            return
        with secure, socket.create_connection(self._upstream) as plain:
            # One thread per connection moves bytes both ways: an SSL socket must not be read and
            # written from two threads at once.
            while not self._stopped.is_set():
                readable, _, _ = select.select([secure, plain], [], [], 1.0)
                try:
                    if secure in readable or secure.pending():
                        data = secure.recv(65536)
                        if not data:
                            return
                        plain.sendall(data)
                    if plain in readable:
                        data = plain.recv(65536)
                        if not data:
                            return
                        secure.sendall(data)
                except OSError:  # either side hung up
                    return
