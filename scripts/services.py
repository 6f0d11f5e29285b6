"""Say whether PostgreSQL and Redis answer at the given URLs.

Exit 0 when both answer; 3 when one does not (the test run is skipped); 1 when
one does not and CI=true, since CI must test on the real services.
"""

import os
import socket
import sys
from urllib.parse import urlsplit


def answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=2):
            return True
    except OSError:
        return False


def main(urls: list[str]) -> int:
    missing = [url for url in urls if not answers(url)]
    if not missing:
        return 0
    for url in missing:
        print(f"not reachable: {url}", file=sys.stderr)
    if os.environ.get("CI") == "true":
        print("CI=true: PostgreSQL and Redis are required", file=sys.stderr)
        return 1
    print("skipping the PostgreSQL/Redis run", file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
