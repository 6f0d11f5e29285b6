"""One round of the media benchmark with Pillow, in a process of its own:
`python -m bench.media_pillow FILE` makes FILE's stored files as the `media`
queue does (`core.media.images`) and prints the figures (`media_round`)."""

from bench.media_round import measure_round
from inkwell.platform.core.media import images


def make_files(data: bytes) -> list[bytes]:
    found = images.inspect(data, 50_000_000, 100_000_000)
    return [file.data for file in images.make_files(data, found)]


if __name__ == "__main__":
    measure_round(make_files)
