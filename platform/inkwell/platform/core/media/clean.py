"""Whether a JPEG or WebP file already is what processing stores as an original:
the image data and a colour profile, nothing else (no EXIF, so no orientation to
apply and no GPS; no XMP, no comments, nothing after the image). Such a file is
kept byte for byte instead of being encoded again: a lossy format loses a little
more each time, and an image exported from a blog and imported into another
(`core.portability`) must stay the same file. PNG and GIF need no such rule:
encoding their decoded pixels again gives the same bytes.

The walk is strict, a list of what may be there rather than of what may not: any
segment or chunk it does not know makes the file "not clean", and it is encoded
again as any upload is.
"""

# JPEG markers allowed besides the application segments below: quantization and
# Huffman tables, restart interval, baseline / extended / progressive frames.
_JPEG_TABLES = {0xDB, 0xC4, 0xDD, 0xC0, 0xC1, 0xC2}
_JPEG_APPS = {0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00"}  # no Adobe: CMYK is converted
_SOS, _EOI = 0xDA, 0xD9
_WEBP_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ICCP"}


def is_clean(data: bytes, image_format: str) -> bool:
    """Whether `data`, a `image_format` ("jpeg", "webp") image, holds nothing but its
    image and colour profile."""
    if image_format == "jpeg":
        return _clean_jpeg(data)
    if image_format == "webp":
        return _clean_webp(data)
    return False


def _clean_jpeg(data: bytes) -> bool:
    if not data.startswith(b"\xff\xd8"):
        return False
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        body = data[at + 4 : at + 2 + length]
        if marker in _JPEG_APPS:
            if not body.startswith(_JPEG_APPS[marker]):
                return False
        elif marker != _SOS and marker not in _JPEG_TABLES:
            return False
        at += 2 + length
        if marker == _SOS:
            at = _scan_end(data, at)
            if data[at : at + 2] == bytes((0xFF, _EOI)):
                return at + 2 == len(data)  # nothing hidden after the image
    return False


def _scan_end(data: bytes, at: int) -> int:
    """Where the entropy-coded data from `at` ends: the first marker that is not a
    stuffed 0xFF00 nor a restart marker."""
    while (at := data.find(b"\xff", at)) != -1 and at + 1 < len(data):
        following = data[at + 1]
        if following != 0x00 and not 0xD0 <= following <= 0xD7 and following != 0xFF:
            return at
        at += 1
    return len(data)


def _clean_webp(data: bytes) -> bool:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return False
    if int.from_bytes(data[4:8], "little") + 8 != len(data):
        return False  # bytes after the RIFF container
    at = 12
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], int.from_bytes(data[at + 4 : at + 8], "little")
        if kind not in _WEBP_CHUNKS:
            return False  # EXIF, XMP, ANIM/ANMF (animations are not this rule's)
        at += 8 + size + (size & 1)
    return at == len(data)
