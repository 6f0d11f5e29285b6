"""One round of the media benchmark with pyvips, `python -m bench.media_vips FILE`
in the bench's own venv (`.venv-bench-vips`, never the app's): the files
`core.media.images` makes (the original re-encoded upright without metadata;
320, 640, 1024 and 1600 px variants in WebP at effort 2 and JPEG), each variant
by `thumbnail`, which shrinks a JPEG while decoding it. Prints the figures
(`media_round`)."""

import pyvips

from bench.media_round import measure_round

WIDTHS = (320, 640, 1024, 1600)


def make_files(data: bytes) -> list[bytes]:
    upright = pyvips.Image.new_from_buffer(data, "").autorot()
    files = [upright.jpegsave_buffer(Q=85, keep="none")]
    for width in (w for w in WIDTHS if w < upright.width):
        variant = pyvips.Image.thumbnail_buffer(data, width, height=10**6, size="down")
        files.append(variant.jpegsave_buffer(Q=85, keep="none"))
        files.append(variant.webpsave_buffer(Q=80, effort=2, keep="none"))
    return files


if __name__ == "__main__":
    measure_round(make_files)
