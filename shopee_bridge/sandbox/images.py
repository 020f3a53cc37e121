"""Small valid images for tests and the demo: Shopee's upload checks the file's first bytes."""

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
	return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def sample_png(seed: int = 0, extra: bytes = b"") -> bytes:
	"""A 1x1 PNG whose colour follows seed (each seed its own content); extra bytes go into a private
	chunk, to make it as large as a test needs."""
	header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
	pixel = b"\x00" + bytes((seed * 37 % 256, seed * 91 % 256, (seed * 13 + 128) % 256))
	private = _chunk(b"sbXt", extra) if extra else b""
	return (
		b"\x89PNG\r\n\x1a\n"
		+ _chunk(b"IHDR", header)
		+ private
		+ _chunk(b"IDAT", zlib.compress(pixel))
		+ _chunk(b"IEND", b"")
	)
