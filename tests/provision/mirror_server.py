"""Real HTTP servers on 127.0.0.1 that answer like Docker Hub mirrors do: live (the registry API at
/v2/ and a manifest for library/hello-world), dead (404 on /v2/), or restricted (/v2/ answers,
the manifest is refused with 403 and an allowlist message, as DaoCloud's mirror does)."""
from __future__ import annotations

import contextlib
import http.server
import threading
import time
from typing import Any, Iterator, List

MANIFEST = (b'{"schemaVersion": 2, "mediaType": '
            b'"application/vnd.docker.distribution.manifest.v2+json", "config": {"mediaType": '
            b'"application/vnd.docker.container.image.v1+json", "size": 2, "digest": '
            b'"sha256:0000000000000000000000000000000000000000000000000000000000000000"}, '
            b'"layers": []}')
ALLOWLIST_BODY = (b'{"errors":[{"code":"DENIED","message":"docker.io/library/hello-world is not '
                  b'in the allowlist (https://github.com/DaoCloud/public-image-mirror)"}]}')


FORBIDDEN_PAGE = (b"<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n"
                  b"<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def _handler(kind: str, delay: float, hits: List[str]):
    class Handler(http.server.BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes, ctype: str = "application/json",
                  registry: bool = True) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            if registry:
                self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            if delay:
                time.sleep(delay)
            if kind == "dead":
                return self._send(404, b"404 page not found\n", "text/plain", registry=False)
            if self.path == "/v2/":
                return self._send(200, b"{}")
            if self.path.startswith("/v2/library/hello-world/manifests/"):
                if kind == "restricted":
                    return self._send(403, ALLOWLIST_BODY)
                if kind == "forbidden":   # a bare 403 from the proxy in front, no registry error body
                    return self._send(403, FORBIDDEN_PAGE, "text/html", registry=False)
                return self._send(200, MANIFEST,
                                  "application/vnd.docker.distribution.manifest.v2+json")
            return self._send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def mirror(kind: str = "live", delay: float = 0.0) -> Iterator[str]:
    """A mirror of `kind` (live | dead | restricted | forbidden) on 127.0.0.1; yields its http:// URL.
    `delay` seconds before each answer makes one mirror slower than another."""
    hits: List[str] = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(kind, delay, hits))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(2)
