"""A real PNG image, made here (no imaging library needed): a drawn signature's stand-in."""

from __future__ import annotations

import base64
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 40, height: int = 12) -> bytes:
    """A grey-scale PNG with a dark diagonal stroke on white."""
    rows = b"".join(
        b"\x00" + bytes(0 if abs(x - y * width // height) < 2 else 255 for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))  # fmt: skip


def png_data_url() -> str:
    return "data:image/png;base64," + base64.b64encode(png()).decode()
