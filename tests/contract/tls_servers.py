"""A small HTTPS server on loopback whose TLS versions a test chooses: the simulator
offers TLS 1.2 and 1.3 only, so the suite's version probes need another server to show
that they can fail."""

from __future__ import annotations

import json
import ssl
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kpb_sim import CertificateSet


class _HelloWorld(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(["Hello", "World"]).encode()
        self.send_response(200 if self.path == "/api/test" else 404)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def tls_server(
    certificates: CertificateSet, *, minimum: ssl.TLSVersion, maximum: ssl.TLSVersion
) -> Iterator[str]:
    """Serve ``GET /api/test`` over HTTPS with only the TLS versions given; yield the
    base URL."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = minimum
        context.maximum_version = maximum
    context.load_cert_chain(certificates.server_cert, certificates.server_key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HelloWorld)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
