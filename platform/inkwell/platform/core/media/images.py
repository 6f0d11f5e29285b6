"""The Pillow work on one image: what it is (`inspect`, from the header and a
cheap decode, before anything is stored), and the files made of it (`make_files`).

Every file is re-encoded from decoded pixels, so nothing of the upload but its
pixels (and colour profile) survives: EXIF (GPS above all), XMP, comments, and
whatever a polyglot hid after the image data (a JPEG or WebP original holding
nothing else is kept byte for byte instead: `clean`). The EXIF orientation is
applied first, so a portrait photo stays upright once its EXIF is gone. Variants are
made at WIDTHS below the image's width (never upscaled), each in WebP and in the
image's own format. A JPEG is decoded a second time at a reduced scale that still
holds the widest variant (`draft`: 1/2, 1/4 or 1/8, done by the decoder); the
widest variant is resized from that (bicubic, after a box reduction where it
halves or more: `reducing_gap`), each other from the next wider one (Lanczos): a
12-megapixel photo takes about a second of CPU (bench/media.py). The widest
variant is 1600 px, 2.5 times the 40rem column: 2048 px variants took half as
long again, WebP's encoding above all.
Animated GIFs stay animated (every frame resized) within a frames x pixels budget.
"""

import io
import math
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from inkwell.platform.core.media import clean

# Widths of the variants; an image narrower than one gets a variant at its own width.
WIDTHS = (320, 640, 1024, 1600)
FORMATS = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
_ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height
_ORIENTATION = 0x0112
_JPEG_QUALITY, _WEBP_QUALITY = 85, 80
# libwebp's effort (0-6): 2 encodes a 12 MP photo's variants in half the time of the
# default 4, for files about 3% larger (bench/media.py).
_WEBP_METHOD = 2
# What Pillow raises, by plugin, for a file that is cut off or malformed.
DAMAGED = (OSError, ValueError, EOFError, SyntaxError, IndexError, struct.error)
_KEPT_INFO = ("transparency", "duration", "loop", "background")  # what saving needs, no metadata


class ImageRefused(ValueError):
    """Not an image we take; str() is for the blogger, `status` the HTTP answer."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Inspected:
    format: str  # jpeg, png, gif, webp
    width: int  # as displayed: after the EXIF orientation
    height: int
    frames: int


@dataclass(frozen=True)
class File:
    width: int
    ext: str
    data: bytes


def variant_widths(width: int) -> list[int]:
    """The widths of an image's variants: WIDTHS below its own, and its own if it
    is no wider than the widest."""
    return [w for w in WIDTHS if w < width] + ([width] if width <= WIDTHS[-1] else [])


def describe(data: bytes, max_pixels: int, max_animation_pixels: int) -> Inspected:
    """What an image already accepted by `inspect` is, from its header alone."""
    with _opened(data) as image:
        return _header(image, max_pixels, max_animation_pixels)


def inspect(data: bytes, max_pixels: int, max_animation_pixels: int) -> Inspected:
    """What `data` is, or ImageRefused saying why we do not take it. The size is
    checked from the header before decoding, then the image is decoded (a JPEG at
    an eighth of its size) so a truncated file is refused now, not later."""
    if not data:
        raise ImageRefused("The file is empty.")
    if _looks_like_svg(data):
        raise ImageRefused(
            "SVG images are not accepted: they can carry scripts that would run on your "
            "blog. Export it as PNG and upload that.",
            415,
        )
    with _opened(data) as image:
        try:
            found = _header(image, max_pixels, max_animation_pixels)
            image.draft("RGB", (image.width // 8, image.height // 8))
            image.load()
        except ImageRefused:
            raise
        except DAMAGED as error:
            raise ImageRefused(
                "The image is damaged or incomplete (cut off during copying or the upload?). "
                "Try the original file again."
            ) from error
        return found


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in head


def _opened(data: bytes) -> Image.Image:
    """The image in `data` opened lazily (only the header is read), or ImageRefused."""
    try:
        with warnings.catch_warnings():
            # Our own pixel limit is checked next; Pillow's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=list(FORMATS))
    except Image.DecompressionBombError as error:
        raise ImageRefused(_too_many_pixels(0), 413) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageRefused(
            "This is not an image we can use: upload a JPEG, PNG, GIF or WebP file.", 415
        ) from error


def _header(image: Image.Image, max_pixels: int, max_animation_pixels: int) -> Inspected:
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRefused(_too_many_pixels(max_pixels, width, height), 413)
    frames = getattr(image, "n_frames", 1)
    if frames > 1 and width * height * frames > max_animation_pixels:
        raise ImageRefused(
            f"This animation is too large: {frames:,} frames of {width:,} x {height:,} pixels. "
            "Shorten it or make it smaller.",
            413,
        )
    if image.getexif().get(_ORIENTATION) in _ROTATED:
        width, height = height, width
    return Inspected(FORMATS[image.format or ""], width, height, frames)


def _too_many_pixels(limit: int, width: int = 0, height: int = 0) -> str:
    size = f" ({width:,} x {height:,})" if width else ""
    most = f" at most {limit / 1e6:g} megapixels" if limit else " fewer pixels"
    return f"This image has too many pixels{size}: upload one with{most}."


def make_files(data: bytes, found: Inspected) -> list[File]:
    """The stored files of an inspected image: the original (its own format and
    width, metadata stripped) and every variant in WebP and its own format."""
    ext = EXTENSIONS[found.format]
    widths = variant_widths(found.width)
    with _opened(data) as image:
        if found.frames > 1:
            return list(_animated_files(image, found, ext, widths))
        icc = image.info.get("icc_profile")
        original = _upright(image)
        # A JPEG or WebP with nothing but its image is kept as it is (`clean`): encoded
        # again it would only lose quality, and an exported image would not import as itself.
        as_is = image.mode in ("RGB", "RGBA", "L") and clean.is_clean(data, found.format)
    files = [File(found.width, ext, data if as_is else _encode(original, ext, icc))]
    with _opened(data) as image:
        source = _reduced_on_decode(image, found, widths) or original
    del original  # the variants need at most `source`: a 12 MP photo's memory goes now
    return files + list(_variants(source, found, ext, widths, icc))


def _reduced_on_decode(
    image: Image.Image, found: Inspected, widths: list[int]
) -> Image.Image | None:
    """A JPEG decoded again at the smallest scale (1/2, 1/4, 1/8) that still holds
    the widest variant, upright; None if it cannot be decoded smaller. A scaled
    decode costs a fraction of a full one, and the widest variant is then
    resized from a quarter of the pixels or fewer."""
    widest = max(widths)
    if found.format != "jpeg" or widest >= found.width:
        return None
    scale = widest / found.width
    wanted = (math.ceil(image.width * scale), math.ceil(image.height * scale))
    full = image.size
    image.draft("RGB", wanted)
    return _upright(image) if image.size != full else None


def _variants(
    source: Image.Image, found: Inspected, ext: str, widths: list[int], icc: bytes | None
) -> Iterator[File]:
    current = source
    for width in sorted(widths, reverse=True):
        height = max(1, round(found.height * width / found.width))
        if (width, height) != current.size:
            # From the (large) source, bicubic: Lanczos cost a third of the whole on
            # a 12 MP photo; from one variant to the next (small images), Lanczos.
            kind = Image.Resampling.BICUBIC if current is source else Image.Resampling.LANCZOS
            current = current.resize((width, height), kind, reducing_gap=2.0)
        if width != found.width:
            yield File(width, ext, _encode(current, ext, icc))
        if width != found.width or ext != "webp":  # a WebP's own width: the original
            yield File(width, "webp", _encode(current, "webp", icc))


def _upright(image: Image.Image) -> Image.Image:
    """The pixels turned by the EXIF orientation, in a mode every output takes,
    with no metadata left in `info`."""
    transposed = ImageOps.exif_transpose(image) or image
    transposed.load()
    if transposed.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = transposed.mode in ("P", "PA") and "transparency" in transposed.info
        transposed = transposed.convert("RGBA" if has_alpha or "A" in transposed.mode else "RGB")
    transposed.info = {k: v for k, v in transposed.info.items() if k in _KEPT_INFO}
    return transposed


def _encode(image: Image.Image, ext: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    if ext == "jpg":
        rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
        rgb.save(out, "JPEG", quality=_JPEG_QUALITY, **extra)
    elif ext == "webp":
        image.save(out, "WEBP", quality=_WEBP_QUALITY, method=_WEBP_METHOD, **extra)
    elif ext == "png":
        image.save(out, "PNG", **extra)
    else:
        image.save(out, "GIF")
    return out.getvalue()


def _animated_files(
    image: Image.Image, found: Inspected, ext: str, widths: list[int]
) -> Iterator[File]:
    frames = [frame.convert("RGBA") for frame in ImageSequence.Iterator(image)]
    durations = [frame.info.get("duration", 100) for frame in ImageSequence.Iterator(image)]
    loop = image.info.get("loop", 0)
    sizes = sorted({found.width, *widths}, reverse=True)
    for width in sizes:
        height = max(1, round(found.height * width / found.width))
        scaled = [f if f.width == width else f.resize((width, height)) for f in frames]
        for out_ext in (ext, "webp") if width in widths else (ext,):
            out = io.BytesIO()
            first, rest = scaled[0], scaled[1:]
            kind = "GIF" if out_ext == "gif" else "WEBP"
            first.save(out, kind, save_all=True, append_images=rest, duration=durations, loop=loop)
            yield File(width, out_ext, out.getvalue())
