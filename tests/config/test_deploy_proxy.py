"""The deployment's proxy: gunicorn's sync workers sit behind nginx (``deploy/nginx.conf``),
which buffers slow clients and sets the X-Forwarded-Proto header Django trusts."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx.conf"


def test_only_the_proxy_is_published_and_it_serves_the_shipped_config() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    # Django trusts X-Forwarded-Proto (settings, DEBUG off): only the proxy may reach gunicorn.
    assert published == {"proxy"}
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]
    assert services["web"]["expose"] == ["8000"]


def test_the_proxy_overwrites_forwarded_proto_and_buffers() -> None:
    site = SITE.read_text()
    assert "server web:8000;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "proxy_buffering on;" in site
    assert "proxy_request_buffering on;" in site


def _nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )
    if found is None:  # as the browser tests without Chromium: fail, never skip
        pytest.fail("nginx is missing: apt-get install -y nginx-light (make test does as root)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """(proxy port, app port): the shipped nginx site in front of one gunicorn sync worker
    serving a two-line WSGI app that echoes the X-Forwarded-Proto it was given."""
    nginx = _nginx()
    app_port, proxy_port = _free_port(), _free_port()
    (tmp_path / "echo_app.py").write_text(
        textwrap.dedent(
            """
            def app(environ, start_response):
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [environ.get("HTTP_X_FORWARDED_PROTO", "-").encode()]
            """
        )
    )
    site = SITE.read_text().replace("server web:8000;", f"server 127.0.0.1:{app_port};")
    (tmp_path / "site.conf").write_text(site.replace("listen 80;", f"listen {proxy_port};"))
    (tmp_path / "nginx.conf").write_text(
        f"worker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    check = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", "1", "--timeout", "30"]
    app = subprocess.Popen(
        [*gunicorn, "--bind", f"127.0.0.1:{app_port}", "--chdir", str(tmp_path), "echo_app:app"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proxy = subprocess.Popen(
        [nginx, "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(app_port)
        _wait_for(proxy_port)
        yield proxy_port, app_port
    finally:
        for process in (proxy, app):
            process.terminate()
            process.wait(timeout=10)


def _get(port: int, headers: dict[str, str] | None = None, timeout: float = 5.0) -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (local)
        return str(response.read().decode())


def test_a_client_cannot_claim_https_through_the_proxy(proxied: tuple[int, int]) -> None:
    proxy_port, _ = proxied
    assert _get(proxy_port, {"X-Forwarded-Proto": "https"}) == "http"


def test_stalled_clients_do_not_hold_the_sync_worker(proxied: tuple[int, int]) -> None:
    """Eight clients send half a request and stop. Straight to gunicorn, they hold its one
    sync worker, and the next request waits; through nginx, it is answered at once."""
    proxy_port, app_port = proxied
    stalled: list[socket.socket] = []

    def stall(port: int) -> None:
        for _ in range(8):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            stalled.append(s)
        time.sleep(0.3)

    try:
        stall(proxy_port)
        started = time.monotonic()
        assert _get(proxy_port) == "http"
        assert time.monotonic() - started < 2.0
        stall(app_port)
        with pytest.raises(TimeoutError):  # the worker is reading a stalled request
            _get(app_port, timeout=1.5)
    finally:
        for s in stalled:
            s.close()
