"""multipart/form-data bodies (media_space/upload_image) as text fields and uploaded files."""

from email.parser import BytesParser
from email.policy import HTTP
from typing import NamedTuple

from shopee_bridge.sandbox.errors import ApiError


class Upload(NamedTuple):
	"""One file part of a form."""

	filename: str
	content_type: str
	content: bytes


def is_multipart(content_type: str) -> bool:
	return (content_type or "").lower().startswith("multipart/form-data")


def parse_form(content_type: str, raw_body: bytes) -> tuple[dict, dict]:
	"""(text fields, files by field name) of a multipart/form-data body."""
	if "boundary=" not in content_type:
		raise ApiError("error_param", "Wrong parameters, detail: multipart body without a boundary.")
	header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
	message = BytesParser(policy=HTTP).parsebytes(header + raw_body)
	if not message.is_multipart():
		raise ApiError("error_param", "Wrong parameters, detail: the form could not be parsed.")
	fields, files = {}, {}
	for part in message.iter_parts():
		name = part.get_param("name", header="content-disposition")
		if not name:
			continue
		content = part.get_payload(decode=True) or b""
		filename = part.get_filename()
		if filename is None:
			fields[name] = content.decode("utf-8", "replace")
		else:
			upload = Upload(filename, part.get_content_type(), content)
			files.setdefault(name, []).append(upload)
	return fields, files


def describe(fields: dict, files: dict) -> dict:
	"""A form as the call log keeps it: the text fields, and each file's name and size only."""
	return {
		**fields,
		**{
			name: [f"{upload.filename} ({len(upload.content)} bytes)" for upload in uploads]
			for name, uploads in files.items()
		},
	}
