"""Fetch a URL someone else's export names, without letting it reach inside.

An import's file comes from anyone, and so do the URLs in it: fetched naively,
`http://169.254.169.254/` or `http://localhost:6379/` would make the server
request its own cloud metadata or services (SSRF). So a fetch takes http and
https only; resolves the host and refuses it if any of its addresses is not
public (loopback, private, shared, link-local, multicast, reserved, unspecified;
IPv6 too, and IPv4 inside IPv6: mapped, 6to4, NAT64), unless the host is one the
operator allows; then connects to an address it checked, so a second DNS
answer cannot swap it (rebinding), while TLS still checks the certificate for
the host's name. Redirects are followed by hand, each hop checked the same way,
at most MAX_REDIRECTS. One deadline covers the whole fetch, redirects included:
a watchdog cuts the connection when it passes, so a server that answers a byte
at a time cannot hold the import. The body is read up to `max_bytes`, refused
beyond (by its Content-Length first).
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

MAX_REDIRECTS = 3
_REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Characters a URL's path and query may hold as they are; others (spaces, any
# non-ASCII) are percent-encoded, as browsers send them.
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchRefused(Exception):
    """The URL was not fetched; the message says why, for the user."""


@dataclass(frozen=True)
class Fetched:
    url: str  # where the bytes came from, after any redirects
    data: bytes
    content_type: str


def fetch_public(
    url: str, max_bytes: int, timeout: float, allowed_hosts: frozenset[str]
) -> Fetched:
    """GET `url` as the module says; FetchRefused if it is not allowed or fails."""
    deadline = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        response = _get(url, max_bytes, deadline, timeout, allowed_hosts)
        if isinstance(response, Fetched):
            return response
        url = response  # a redirect's target
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


def _get(
    url: str, max_bytes: int, deadline: float, timeout: float, allowed: frozenset[str]
) -> Fetched | str:
    """The body at `url`, or the URL it redirects to."""
    parts = urlsplit(url)
    if not parts.scheme:
        raise FetchRefused("not an absolute URL (the old site's address is missing)")
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"“{parts.scheme}:” is not http or https")
    try:
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchRefused("the URL's port is not a number") from None
    if not host:
        raise FetchRefused("the URL names no host")
    addresses = _addresses(host, port, allowed)
    opened: list[socket.socket] = []
    connection = _connection(parts.scheme, host, port, addresses, opened, deadline, timeout)
    watchdog = threading.Timer(_remaining(deadline, timeout), _cut, (opened,))
    watchdog.start()
    try:
        return _exchange(connection, url, max_bytes, deadline, timeout)
    except TimeoutError:  # socket.timeout too
        raise FetchRefused(f"no answer within {timeout:g} seconds") from None
    except (OSError, http.client.HTTPException) as error:
        if time.monotonic() >= deadline:
            raise FetchRefused(f"no answer within {timeout:g} seconds") from None
        raise FetchRefused(f"the server could not be reached ({_reason(error)})") from None
    finally:
        watchdog.cancel()
        connection.close()
        for sock in opened:  # a response that read to the end holds it still
            sock.close()


def _exchange(
    connection: http.client.HTTPConnection,
    url: str,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> Fetched | str:
    parts = urlsplit(url)
    target = quote(parts.path or "/", safe=_URL_SAFE) + (
        "?" + quote(parts.query, safe=_URL_SAFE) if parts.query else ""
    )
    headers = {
        "User-Agent": "Inkwell image import",
        "Accept": "image/*",
        "Accept-Encoding": "identity",
    }
    connection.request("GET", target, headers=headers)
    response = connection.getresponse()
    if response.status in _REDIRECTS:
        location = response.getheader("Location")
        if not location:
            raise FetchRefused(f"a redirect ({response.status}) to nowhere")
        return urljoin(url, location.strip())
    if response.status != 200:
        raise FetchRefused(f"the server answered {response.status} {response.reason}".strip())
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"larger than {_size(max_bytes)} ({_size(int(declared))})")
    chunks, size = [], 0
    # read1: what has come, not a full chunk a slow server would hold back.
    while chunk := response.read1(min(_CHUNK, max_bytes + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise FetchRefused(f"larger than {_size(max_bytes)}")
        if time.monotonic() >= deadline:
            raise TimeoutError
    if time.monotonic() >= deadline:  # the watchdog cut it short
        raise TimeoutError
    return Fetched(url, b"".join(chunks), response.getheader("Content-Type", ""))


def _addresses(host: str, port: int, allowed: frozenset[str]) -> list[str]:
    """The addresses of `host`, if every one is public or the host is allowed;
    else FetchRefused."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchRefused(f"the host “{host}” was not found") from None
    addresses = [info[4][0] for info in found]
    if host.lower().rstrip(".") not in allowed:
        for address in addresses:
            if not is_public(ipaddress.ip_address(address.split("%")[0])):
                raise FetchRefused(
                    f"“{host}” is at {address}, a private or local address: "
                    "only public addresses are fetched"
                )
    return addresses


def is_public(address: IPAddress) -> bool:
    """Whether `address` is one anyone on the internet reaches (and so no service
    of this server's own network)."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return is_public(inner)
    flags = (
        address.is_private,
        address.is_loopback,
        address.is_link_local,
        address.is_multicast,
        address.is_reserved,
        address.is_unspecified,
    )
    return address.is_global and not any(flags)


def _connection(
    scheme: str,
    host: str,
    port: int,
    addresses: list[str],
    opened: list[socket.socket],
    deadline: float,
    timeout: float,
) -> http.client.HTTPConnection:
    """A connection for `host` (its Host header, TLS name) that opens to the first of
    `addresses` that answers (an IPv6 one may not be reachable), its socket kept in
    `opened` (the response may outlive the connection's hold on it)."""
    if scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)

    # http.client opens its socket through this attribute (HTTPS wraps it after,
    # checking the certificate against `host`): the checked address, never a new lookup.
    def connect_checked(_host: tuple[str, int], *_args: Any) -> socket.socket:
        failure = OSError(f"no address of {host}")
        for address in addresses:
            try:
                opened.append(
                    socket.create_connection((address, port), _remaining(deadline, timeout))
                )
            except OSError as error:
                failure = error
                continue
            return opened[-1]
        raise failure

    connection._create_connection = connect_checked  # type: ignore[attr-defined]
    return connection


def _cut(opened: list[socket.socket]) -> None:
    """Unblock whatever waits on the fetch's socket: the deadline passed."""
    for sock in opened:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _remaining(deadline: float, timeout: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchRefused(f"no answer within {timeout:g} seconds")
    return left


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.0f} kB"
