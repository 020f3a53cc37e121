"""Small, valid PDF air waybills for the sandbox's download_shipping_document, one page per package.

The bytes depend only on what is printed (no dates), so the same label downloads byte for byte the
same and a re-issued label (new version, new tracking number) downloads different bytes.
"""

PAGE_WIDTH, PAGE_HEIGHT = 288, 432  # a 4 x 6 inch thermal label, in points


def _escape(text: str) -> str:
	return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_stream(lines: list[str]) -> bytes:
	commands = ["BT", "/F1 11 Tf", "14 TL", f"18 {PAGE_HEIGHT - 36} Td"]
	for line in lines:
		commands.append(f"({_escape(line.encode('ascii', 'replace').decode())}) Tj T*")
	commands.append("ET")
	return "\n".join(commands).encode()


def label_pdf(pages: list[list[str]]) -> bytes:
	"""A PDF with one page per entry of `pages`, each a list of text lines."""
	objects: list[bytes] = [b"", b""]  # 1: catalog, 2: page tree, filled in below
	font = len(objects) + 1
	objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	kids = []
	for lines in pages:
		stream = _page_stream(lines)
		objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
		content = len(objects)
		objects.append(
			b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 %d 0 R >> >>"
			b" /Contents %d 0 R >>" % (PAGE_WIDTH, PAGE_HEIGHT, font, content)
		)
		kids.append(len(objects))
	objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
	refs = " ".join(f"{kid} 0 R" for kid in kids).encode()
	objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
	return _serialize(objects)


def _serialize(objects: list[bytes]) -> bytes:
	out = bytearray(b"%PDF-1.4\n")
	offsets = []
	for number, body in enumerate(objects, start=1):
		offsets.append(len(out))
		out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
	xref = len(out)
	out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
	for offset in offsets:
		out += b"%010d 00000 n \n" % offset
	out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
	return bytes(out)
