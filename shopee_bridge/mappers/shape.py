"""Checks that Shopee's JSON has the shape the mappers read, so a bad field is named, not a TypeError.

Pure functions: no frappe. Every failure is a MalformedShopeeData (a ValueError) naming the field.
"""

MAX_EPOCH = 2**32 - 1  # Shopee times are uint32 seconds
MAX_ID_DIGITS = 20  # int64 ids


class MalformedShopeeData(ValueError):
	"""Shopee sent a field in a shape the app cannot read; the message names the field."""


def require_dict(value, what: str) -> dict:
	if not isinstance(value, dict):
		raise MalformedShopeeData(f"{what} is not an object ({type(value).__name__})")
	return value


def list_of_dicts(value, what: str) -> list[dict]:
	"""A list of objects; None (absent) is an empty list."""
	if value is None:
		return []
	if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
		raise MalformedShopeeData(f"{what} is not a list of objects")
	return value


def whole_number(value, what: str, default: int | None = None) -> int:
	"""An int from an int, an integral float or a string of digits; None gives `default` when one is set."""
	if value is None and default is not None:
		return default
	if isinstance(value, bool):
		raise MalformedShopeeData(f"{what} is not a whole number ({value!r})")
	if isinstance(value, int):
		return value
	if isinstance(value, float) and value.is_integer():
		return int(value)
	if isinstance(value, str) and value.strip().lstrip("-").isdigit():
		return int(value.strip())
	raise MalformedShopeeData(f"{what} is not a whole number ({str(value)[:40]!r})")


def epoch(value, what: str, default: int | None = None) -> int:
	"""Unix seconds within Shopee's uint32 range."""
	seconds = whole_number(value, what, default)
	if not 0 <= seconds <= MAX_EPOCH:
		raise MalformedShopeeData(f"{what} is not a time Shopee would send ({seconds})")
	return seconds


def shopee_id(value, what: str, default: str = "") -> str:
	"""An int64 id as text ("" or `default` when absent)."""
	if value is None or value == "":
		return default
	number = whole_number(value, what)
	if number < 0 or len(str(number)) > MAX_ID_DIGITS:
		raise MalformedShopeeData(f"{what} is not a Shopee id ({number})")
	return str(number)


def text(value, what: str, max_length: int | None = None) -> str:
	"""A string field (numbers are accepted as text); None is ""."""
	if value is None:
		return ""
	if isinstance(value, bool) or not isinstance(value, str | int | float):
		raise MalformedShopeeData(f"{what} is not text ({type(value).__name__})")
	result = str(value).strip()
	if max_length is not None and len(result) > max_length:
		raise MalformedShopeeData(f"{what} is longer than {max_length} characters")
	return result
