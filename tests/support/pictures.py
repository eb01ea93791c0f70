"""Image files for the upload tests, made with Pillow: with a camera's EXIF and GPS position, with a
payload appended, with a header that lies about its size."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

CAMERA = "SpyCam 3000"
PAYLOAD = b"<script>alert('polyglot')</script>"
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (52.0, 31.0, 12.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (13.0, 24.0, 36.0),
}
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'


def camera_exif(orientation: int = 1) -> Image.Exif:
    """What a phone writes: its make, the orientation and where the picture was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    return exif


def picture(
    fmt: str = "PNG",
    size: tuple[int, int] = (40, 30),
    *,
    color: tuple[int, int, int] = (200, 30, 30),
    exif: Image.Exif | None = None,
) -> bytes:
    """A plain picture in `fmt`, with the EXIF given."""
    out = io.BytesIO()
    extra = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, color).save(out, fmt, **extra)
    return out.getvalue()


def with_gps(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    return picture(fmt, size, exif=camera_exif())


def claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` by `height` pixels (its CRC fixed, so it parses)."""
    data = bytearray(picture("PNG", (8, 8)))
    start = 8 + 8  # signature, then the IHDR chunk's length and type
    data[start : start + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12 : start + 13]))
    data[start + 13 : start + 17] = struct.pack(">I", crc)
    return bytes(data)


def animated_gif() -> bytes:
    """Two frames, red then blue: only the first is kept."""
    frames = [Image.new("RGB", (20, 20), color) for color in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()
