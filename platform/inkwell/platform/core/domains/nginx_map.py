"""The host -> blog UUID map of nginx's mirror fallback (infra/nginx), written
whole or not at all. `inkwell domains nginx-map` writes it on demand; with
NGINX_MAP_PATH set the worker writes it after each publish and beat every
NGINX_MAP_INTERVAL seconds, so a blog created, or a domain verified, since the
last edit has its fallback without an operator: infra/systemd's path unit
reloads nginx when the file changes."""

import logging
from pathlib import Path

from inkwell.platform.core.domains import registry

log = logging.getLogger(__name__)

HEADER = "# Written by `inkwell domains nginx-map`: host -> blog UUID (infra/nginx).\n"


def render() -> str:
    """The map: every verified host of an active blog, custom domains included."""
    return HEADER + "".join(f"{host} {uuid};\n" for host, uuid in registry.served_hosts())


def write(path: Path) -> bool:
    """Write the map to `path` if it changed; whether it did. Replaced atomically:
    nginx, reloading meanwhile, never reads half a map."""
    text = render()
    if path.exists() and path.read_text() == text:
        return False
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    partial.replace(path)
    log.info("nginx map %s written: %d hosts", path, text.count(";\n"))
    return True


def write_configured(config: dict) -> bool:
    """`write` to NGINX_MAP_PATH when set; never raises for a file it cannot
    write (logged): a publish is not failed for the fallback's map."""
    if not config.get("NGINX_MAP_PATH"):
        return False
    try:
        return write(Path(config["NGINX_MAP_PATH"]))
    except OSError as error:
        log.error("nginx map not written: %s", error)
        return False
