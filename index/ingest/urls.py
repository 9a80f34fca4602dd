"""URL rules for fetching: which URLs may be fetched, their canonical form, their file name.

Only ``http`` and ``https`` are fetched, never a URL with a user name or password, and by
default never a host whose addresses include a loopback, link-local, private or otherwise
non-public one (every address a name resolves to is checked: a name that resolves to one
public and one private address is refused). Canonical URLs come from courlan's
``normalize_url`` (lower-case scheme and host, default port dropped, query sorted, the
tracking parameters of its maintained list, ``utm_*``, ``fbclid``, ``gclid``, ``ref``…,
removed), without the fragment.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
from pathlib import PurePosixPath
from urllib.parse import SplitResult, urlsplit, urlunsplit

from index.errors import URLRefusedError

SCHEMES = frozenset({"http", "https"})
ALLOW_PRIVATE_HINT = "an admin can allow such addresses with NEWSBOT_FETCH_ALLOW_PRIVATE=true"
# The folder of the corpus that fetched articles go to, one subfolder per site.
WEB_FOLDER = "web"

_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_MAX_SLUG = 60
_HASH_CHARS = 10


def check_url(url: str, *, allow_private: bool) -> SplitResult:
    """``url`` split, if newsbot may fetch it; a host name is checked when it is resolved.

    Raises:
        URLRefusedError: Not http(s), no host, credentials in it, a bad port, or an IP
            address that is not public (without ``allow_private``).
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as e:
        raise URLRefusedError(url, f"it is not a valid URL ({e})") from e
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise URLRefusedError(url, f"newsbot fetches only http and https URLs, not {shown}")
    if not parts.hostname:
        raise URLRefusedError(url, "it names no host")
    if parts.username is not None or parts.password is not None:
        raise URLRefusedError(url, "URLs with a user name or password are not fetched")
    if port == 0:
        raise URLRefusedError(url, "port 0 cannot be fetched")
    if not allow_private and _is_ip(parts.hostname):
        problem = address_problem(parts.hostname)
        if problem:
            raise URLRefusedError(url, f"{parts.hostname} is {problem}; {ALLOW_PRIVATE_HINT}")
    return parts


def address_problem(address: str) -> str | None:
    """Why ``address`` (an IP address) is not public, or None if it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return "not a public address"
    if ip.is_private:
        return "a private network address"
    if not ip.is_global:
        return "not a public address"
    return None


def check_addresses(url: str, host: str, addresses: list[str]) -> None:
    """Refuse ``url`` if any address its ``host`` resolved to is not public.

    Raises:
        URLRefusedError: One of the addresses is loopback, link-local, private or reserved.
    """
    for address in addresses:
        problem = address_problem(address)
        if problem:
            shown = host if host == address else f"{host} resolves to {address}, which"
            raise URLRefusedError(url, f"{shown} is {problem}; {ALLOW_PRIVATE_HINT}")


def check_host(url: str, *, allow_private: bool) -> None:
    """Check ``url`` and resolve its host now (blocking), as a fetch would.

    For a URL given by a person (``newsbot feeds add``): a typo or a private address is
    refused at once instead of at the next fetch.

    Raises:
        URLRefusedError: As :func:`check_url`, or the host cannot be resolved or resolves
            to an address that is not public (without ``allow_private``).
    """
    parts = check_url(url, allow_private=allow_private)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 80, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise URLRefusedError(url, f"its host {host} cannot be found") from e
    if not allow_private:
        check_addresses(url, host, [str(info[4][0]) for info in infos])


def canonical_url(url: str) -> str:
    """The URL an article is known by: normalised, tracking parameters and fragment removed.

    ``http://Example.com:80/a?utm_source=rss&id=3#top`` → ``http://example.com/a?id=3``.
    """
    from courlan import normalize_url  # imported here: only fetching pays for it

    try:
        normal = normalize_url(url.strip())
    except (ValueError, AttributeError):
        normal = url.strip()
    parts = urlsplit(normal)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def same_site(first: str, second: str) -> bool:
    """Whether two URLs belong to the same site (registrable domain, or the same IP host)."""
    from courlan import extract_domain

    a, b = urlsplit(first).hostname or "", urlsplit(second).hostname or ""
    if a == b:
        return True
    if _is_ip(a) or _is_ip(b):
        return False
    domain_a, domain_b = extract_domain(first), extract_domain(second)
    return bool(domain_a) and domain_a == domain_b


def article_path(url: str) -> PurePosixPath:
    """Where the article at canonical ``url`` is kept, relative to the corpus folder.

    ``web/<host>/<slug>-<hash>.md``: one file per canonical URL (the hash of the whole URL
    keeps two URLs with the same slug apart), so a changed article replaces its own file.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "site").lower()
    if parts.port:
        host += f"-{parts.port}"
    host = host.replace(":", "-").strip(".-") or "site"
    words = [w for w in _SLUG_CHARS.split(f"{parts.path} {parts.query}".lower()) if w]
    slug = "-".join(words)[-_MAX_SLUG:].strip("-") or "index"
    if slug.endswith("-html") or slug.endswith("-htm"):
        slug = slug.rsplit("-", 1)[0]
    digest = hashlib.sha256(url.encode()).hexdigest()[:_HASH_CHARS]
    return PurePosixPath(WEB_FOLDER, host, f"{slug}-{digest}.md")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True
