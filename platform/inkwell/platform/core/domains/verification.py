"""The DNS check that proves a domain is the blog's: a TXT record at
`_inkwell-verify.<domain>` holding `inkwell-verify=<the domain's token>`.

Asked of the resolver DNS_RESOLVER names ("host:port"; tests run a small DNS
server on a loopback port) or the system's, within DNS_TIMEOUT seconds. Every
outcome but the expected record is a DomainError that says what was found."""

import secrets

import dns.exception
import dns.resolver
from flask import current_app

from inkwell.platform.core.domains.names import DomainError

PREFIX = "_inkwell-verify"


def new_token() -> str:
    return secrets.token_hex(16)


def record_name(host: str) -> str:
    """Where the TXT record goes (the host is stored ASCII, so this is too)."""
    return f"{PREFIX}.{host}"


def record_value(token: str) -> str:
    return f"inkwell-verify={token}"


def check(host: str, token: str) -> None:
    """Return when the TXT record holds the token; else DomainError saying what DNS said."""
    name, expected = record_name(host), record_value(token)
    try:
        answer = _resolver().resolve(name, "TXT", search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        raise DomainError(
            f"No TXT record at {name} yet. DNS changes can take an hour to arrive; "
            "add the record as shown, then try Verify again."
        ) from None
    except (dns.exception.Timeout, dns.resolver.NoNameservers) as error:
        raise DomainError(
            f"The DNS lookup of {name} failed ({error}); try again shortly."
        ) from None
    found = ["".join(part.decode("utf-8", "replace") for part in r.strings) for r in answer]
    if expected not in found:
        raise DomainError(
            f"The TXT record at {name} holds {', '.join(found)}, not {expected}. "
            "Correct it, then try Verify again."
        )


def _resolver() -> dns.resolver.Resolver:
    config = current_app.config
    address = config["DNS_RESOLVER"]
    resolver = dns.resolver.Resolver(configure=not address)
    if address:
        host, _, port = address.rpartition(":")
        resolver.nameservers, resolver.port = [host.strip("[]")], int(port)
    resolver.lifetime = resolver.timeout = float(config["DNS_TIMEOUT"])
    return resolver
