"""Who may use the server, and how much: Host and Origin checks, the access token, request
rates per client, and the security headers on every response.

On loopback the server is open, as a local tool should be (Host and Origin are still
checked: a web page must not reach it by DNS rebinding or a cross-site post). Beyond
loopback every API call needs the access token, and each client's request rate is capped.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seefood.live.ice import is_loopback
from seefood.server.settings import HttpSettings

# The page and its assets load without the token (it arrives in the link's fragment, which
# the browser keeps to itself); everything else asks for it.
PUBLIC_PATHS = ("/", "/healthz", "/docs", "/openapi.json")
PUBLIC_PREFIXES = ("/static/", "/docs/")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
]


def new_token() -> str:
    return secrets.token_urlsafe(18)


def local_names(bind_host: str, extra: Iterable[str] = ()) -> set[str]:
    """Host names a browser may use to reach this server: loopback, this machine's name and
    addresses, the address it is bound to, and any configured."""
    names = {"localhost", "127.0.0.1", "::1", bind_host, *extra}
    hostname = socket.gethostname()
    names |= {hostname, f"{hostname}.local", socket.getfqdn()}
    try:
        for info in socket.getaddrinfo(hostname, None):
            names.add(str(info[4][0]))
    except OSError:
        pass
    from seefood.live.aiortc_patch import aioice_host_addresses

    names |= set(aioice_host_addresses())
    return {n.lower() for n in names if n}


def host_of(value: str) -> str:
    """The host part of a Host header or an origin, without port or IPv6 brackets."""
    netloc = urlsplit(value).netloc if "://" in value else value
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")].lower()
    return netloc.rsplit(":", 1)[0].lower() if netloc.count(":") == 1 else netloc.lower()


class RateLimiter:
    """A token bucket per client: `rate` requests a second on average, bursts of `burst`."""

    def __init__(self, rate: float, burst: float, max_clients: int = 10_000) -> None:
        self.rate, self.burst, self.max_clients = rate, burst, max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        self._buckets[client] = (tokens - 1 if allowed else tokens, now)
        while len(self._buckets) > self.max_clients:  # forget the longest quiet
            self._buckets.popitem(last=False)
        return allowed


@dataclass
class Policy:
    """What the guard enforces; `token` None means open access (loopback)."""

    hosts: set[str]
    token: str | None = None
    limiter: RateLimiter | None = None

    @classmethod
    def for_host(cls, settings: HttpSettings) -> Policy:
        hosts = local_names(settings.host, settings.allowed_hosts)
        if is_loopback(settings.host):
            return cls(hosts)
        rate = settings.rate_limit
        limiter = RateLimiter(rate, 3 * rate) if rate else None
        return cls(hosts, settings.token or new_token(), limiter)

    @property
    def open(self) -> bool:
        return self.token is None


class Guard:
    """ASGI middleware: refuses what the policy does not allow, adds security headers."""

    def __init__(self, app: ASGIApp, policy: Policy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._check(scope)
        if refusal is not None:
            status, detail, headers = refusal
            response = JSONResponse({"detail": detail}, status, headers=headers)
            await response(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    def _check(self, scope: Scope) -> tuple[int, str, dict[str, str]] | None:
        headers = Headers(scope=scope)
        policy = self.policy
        host = host_of(headers.get("host", ""))
        if host not in policy.hosts and not _is_ip(host):
            # A name we do not know: DNS rebinding points a stranger's name at us.
            return 421, f"unknown host {host!r}: add it to SEEFOOD_ALLOWED_HOSTS", {}
        origin = headers.get("origin")
        unsafe = scope["method"] not in ("GET", "HEAD", "OPTIONS")
        if origin and unsafe and (origin == "null" or host_of(origin) != host):
            return 403, "cross-origin requests are not allowed", {}
        client = scope["client"][0] if scope.get("client") else "unknown"
        if policy.limiter is not None and not policy.limiter.allow(client):
            return 429, "too many requests from this address; slow down", {"Retry-After": "1"}
        path: str = scope["path"]
        trusted = policy.token is None or _has_token(headers, policy.token)
        # For the public paths that say more to those with the token (/healthz).
        scope.setdefault("state", {})["trusted"] = trusted
        if not trusted and not _public(path):
            return (
                401,
                "this server needs its access token: open the link it printed when it "
                "started (it ends in #token=...), or send 'Authorization: Bearer <token>'",
                {"WWW-Authenticate": "Bearer"},
            )
        return None

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        return wrapped


def _has_token(headers: Headers, token: str) -> bool:
    scheme, _, given = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(
        given.strip().encode(), token.encode()
    )


def _public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _is_ip(host: str) -> bool:
    """A literal address cannot be rebound: a browser sending it reached it on purpose."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
