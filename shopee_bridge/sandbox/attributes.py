"""Attributes and brands per leaf category, in get_attribute_tree's and get_brand_list's shapes.

Every leaf has 1..3 mandatory attributes of mixed kinds (drop-downs, combo boxes that also take a
custom value, free text validated as int / float / date / string, quantitative ones with a unit) and
some optional ones. Value ids are attribute_id * 100 + n.
"""

from typing import NamedTuple

from shopee_bridge.sandbox.categories import LEAVES

# input_type
SINGLE_DROP_DOWN, SINGLE_COMBO_BOX, FREE_TEXT_FILED, MULTI_DROP_DOWN, MULTI_COMBO_BOX = 1, 2, 3, 4, 5
DROP_DOWNS = (SINGLE_DROP_DOWN, MULTI_DROP_DOWN)
# input_validation_type
NO_VALIDATE, INT_TYPE, STRING_TYPE, FLOAT_TYPE, DATE_TYPE = 0, 1, 2, 3, 4
# format_type
FORMAT_NORMAL, FORMAT_QUANTITATIVE = 1, 2
MAX_TEXT_LENGTH = 40
NO_BRAND_ID = 0


class Attribute(NamedTuple):
	attribute_id: int
	name: str
	input_type: int
	validation: int = NO_VALIDATE
	units: tuple = ()
	max_count: int = 1
	values: tuple = ()  # names, or (number, unit) pairs for a quantitative attribute

	@property
	def quantitative(self) -> bool:
		return bool(self.units)

	def value_ids(self) -> dict[int, tuple[str, str]]:
		"""value_id -> (name, unit)."""
		return {
			self.attribute_id * 100 + n: (value, "") if isinstance(value, str) else value
			for n, value in enumerate(self.values, start=1)
		}


_A = Attribute
ATTRIBUTES = {
	attribute.attribute_id: attribute
	for attribute in (
		_A(
			100010,
			"Material",
			SINGLE_DROP_DOWN,
			values=("Ceramic", "Porcelain", "Glass", "Stainless Steel", "Bamboo"),
		),
		_A(
			100011,
			"Material",
			MULTI_DROP_DOWN,
			max_count=2,
			values=("Cotton", "Polyester", "Linen", "Wool", "Spandex"),
		),
		_A(100012, "Material", SINGLE_DROP_DOWN, values=("Silicone", "TPU", "Polycarbonate", "Leather")),
		_A(
			100013,
			"Material",
			SINGLE_COMBO_BOX,
			STRING_TYPE,
			values=("Wood", "Metal", "Plastic", "Fabric", "Paper"),
		),
		_A(100014, "Material", SINGLE_DROP_DOWN, values=("TPE", "PVC", "NBR", "Natural Rubber")),
		_A(
			100020,
			"Capacity",
			SINGLE_COMBO_BOX,
			FLOAT_TYPE,
			("ml", "l"),
			values=(("250", "ml"), ("350", "ml"), ("500", "ml"), ("1", "l")),
		),
		_A(
			100021,
			"Net Weight",
			SINGLE_COMBO_BOX,
			FLOAT_TYPE,
			("g", "kg"),
			values=(("100", "g"), ("250", "g"), ("500", "g"), ("1", "kg")),
		),
		_A(
			100022,
			"Weight",
			SINGLE_COMBO_BOX,
			FLOAT_TYPE,
			("kg", "lb"),
			values=(("2", "kg"), ("5", "kg"), ("10", "kg")),
		),
		_A(100023, "Power", FREE_TEXT_FILED, INT_TYPE, ("W",)),
		_A(100024, "Thickness", FREE_TEXT_FILED, FLOAT_TYPE, ("mm", "cm")),
		_A(
			100025,
			"Shelf Life",
			SINGLE_COMBO_BOX,
			INT_TYPE,
			("days", "months"),
			values=(("6", "months"), ("12", "months"), ("24", "months")),
		),
		_A(100026, "Cable Length", FREE_TEXT_FILED, FLOAT_TYPE, ("cm", "m")),
		_A(
			100027,
			"Warranty Duration",
			SINGLE_COMBO_BOX,
			INT_TYPE,
			("months", "years"),
			values=(("6", "months"), ("1", "years"), ("2", "years")),
		),
		_A(100030, "Care Instructions", FREE_TEXT_FILED, STRING_TYPE),
		_A(100031, "Model Number", FREE_TEXT_FILED, STRING_TYPE),
		_A(100032, "Quantity per Pack", FREE_TEXT_FILED, INT_TYPE),
		_A(100033, "Number of Pages", FREE_TEXT_FILED, INT_TYPE),
		_A(100034, "Expiry Date", FREE_TEXT_FILED, DATE_TYPE),
		_A(
			100040,
			"Colour",
			MULTI_DROP_DOWN,
			max_count=3,
			values=("Black", "White", "Grey", "Red", "Blue", "Green", "Multicolour"),
		),
		_A(100041, "Microwave Safe", SINGLE_DROP_DOWN, values=("Yes", "No")),
		_A(100042, "Sleeve Length", SINGLE_DROP_DOWN, values=("Short Sleeve", "Long Sleeve", "Sleeveless")),
		_A(
			100043,
			"Style",
			MULTI_COMBO_BOX,
			STRING_TYPE,
			max_count=3,
			values=("Basic", "Vintage", "Streetwear", "Minimalist"),
		),
		_A(
			100044,
			"Compatible Phone Model",
			MULTI_COMBO_BOX,
			STRING_TYPE,
			max_count=5,
			values=("iPhone 15", "iPhone 15 Pro", "Galaxy S24", "Pixel 8"),
		),
		_A(
			100045,
			"Features",
			MULTI_DROP_DOWN,
			max_count=4,
			values=("Shockproof", "MagSafe", "Card Holder", "Kickstand"),
		),
		_A(100046, "Connector Type", SINGLE_DROP_DOWN, values=("USB-C", "Lightning", "Micro-USB", "USB-A")),
		_A(100047, "Connectivity", SINGLE_DROP_DOWN, values=("Bluetooth", "Wired", "2.4GHz Wireless")),
		_A(100048, "Paper Size", SINGLE_DROP_DOWN, values=("A4", "A5", "B5", "Pocket")),
		_A(
			100049,
			"Occasion",
			MULTI_DROP_DOWN,
			max_count=3,
			values=("Birthday", "Wedding", "Christmas", "Hari Raya", "Chinese New Year"),
		),
		_A(
			100050,
			"Country of Origin",
			SINGLE_COMBO_BOX,
			STRING_TYPE,
			values=("Singapore", "Malaysia", "Indonesia", "China", "Vietnam"),
		),
		_A(100051, "Skin Type", MULTI_DROP_DOWN, max_count=3, values=("Normal", "Dry", "Oily", "Sensitive")),
	)
}
# leaf -> ((attribute_id, mandatory), ...)
_DRINKWARE = ((100010, True), (100020, True), (100040, False), (100032, False))
_HOME = ((100013, True), (100040, False), (100043, False))
_TEXTILE = ((100011, True), (100040, False), (100050, False))
_TOPS = ((100011, True), (100042, True), (100043, False), (100050, False))
_ACCESSORY = ((100013, True), (100040, False), (100050, False))
_CHARGING = ((100023, True), (100046, True), (100026, False), (100027, False))
_GADGET = ((100047, True), (100031, False), (100027, False))
_FOOD = ((100021, True), (100025, True), (100034, False), (100050, False))
PROFILES = {
	101001: (
		(100010, True),
		(100020, True),
		(100030, True),
		(100040, False),
		(100041, False),
		(100032, False),
	),
	101002: _DRINKWARE,
	101003: _DRINKWARE,
	101011: _HOME,
	101012: ((100013, True), (100032, True), (100040, False)),
	101013: _TEXTILE,
	101014: _HOME,
	101015: ((100023, True), (100013, False), (100040, False)),
	101021: _TEXTILE,
	101022: _TEXTILE,
	101023: ((100021, True), (100051, False), (100034, False)),
	102001: _TOPS,
	102002: _TOPS,
	102011: _TEXTILE,
	102012: ((100011, True), (100032, True), (100040, False)),
	102013: _TEXTILE,
	102014: _TEXTILE,
	102015: _ACCESSORY,
	102016: _ACCESSORY,
	102017: ((100013, True), (100027, True), (100040, False)),
	102021: ((100013, True), (100040, False), (100050, False)),
	103001: ((100044, True), (100012, True), (100045, False), (100040, False)),
	103002: ((100044, True), (100031, False)),
	103003: _CHARGING,
	103004: ((100046, True), (100026, True), (100023, False)),
	103011: _GADGET,
	103012: _GADGET,
	103021: _GADGET,
	103022: ((100047, True), (100031, True), (100027, False)),
	104001: ((100048, True), (100033, True), (100040, False)),
	104002: ((100032, True), (100040, False)),
	104003: ((100032, True), (100013, False)),
	104011: ((100049, True), (100032, False)),
	105001: _FOOD,
	105002: _FOOD,
	105011: _FOOD,
	106001: ((100014, True), (100024, False), (100040, False)),
	106002: ((100022, True), (100013, False)),
	106011: ((100032, True), (100034, True), (100050, False)),
}
assert set(PROFILES) == set(LEAVES), "every leaf needs an attribute profile"

# Brands: a few shared ones, plus a long list for T-Shirts (more than one get_brand_list page).
_SHARED_BRANDS = ("Sandbox Basics", "Acme", "Lumen & Co", "Northwind")
_BRANDS_BY_LEAF = {
	101001: ("Mugsy", "Kiln House"),
	103001: ("Shieldz", "CaseCraft", "Rhinoshell"),
	102001: tuple(f"Sandbox Apparel {n:03d}" for n in range(1, 131)),
}
BRAND_MANDATORY = frozenset({103001, 103003, 103011})  # must name a brand (or "No Brand", id 0)


def attribute_tree(category_id: int) -> list[dict]:
	"""get_attribute_tree's attribute_tree of one leaf."""
	return [
		_attribute_view(ATTRIBUTES[attribute_id], mandatory)
		for attribute_id, mandatory in PROFILES[category_id]
	]


def _attribute_view(attribute: Attribute, mandatory: bool) -> dict:
	values = [
		{"value_id": value_id, "name": name, **({"value_unit": unit} if unit else {})}
		for value_id, (name, unit) in attribute.value_ids().items()
	]
	return {
		"attribute_id": attribute.attribute_id,
		"mandatory": mandatory,
		"name": attribute.name,
		"attribute_value_list": values,
		"attribute_info": {
			"input_type": attribute.input_type,
			"input_validation_type": attribute.validation,
			"format_type": FORMAT_QUANTITATIVE if attribute.quantitative else FORMAT_NORMAL,
			"date_format_type": 0,
			"attribute_unit_list": list(attribute.units),
			"max_value_count": attribute.max_count,
		},
		"multi_lang": [],
	}


def brands(category_id: int) -> list[dict]:
	"""Every brand of a leaf (brand_id 0 "No Brand" is not listed, as on Shopee)."""
	names = (*_SHARED_BRANDS, *_BRANDS_BY_LEAF.get(category_id, ()))
	return [
		{"brand_id": 1_100_000 + _brand_number(name), "original_brand_name": name, "display_brand_name": name}
		for name in names
	]


def _brand_number(name: str) -> int:
	shared = _SHARED_BRANDS.index(name) if name in _SHARED_BRANDS else None
	if shared is not None:
		return shared + 1
	for leaf, names in _BRANDS_BY_LEAF.items():
		if name in names:
			return leaf % 10_000 * 1000 + names.index(name) + 1
	raise KeyError(name)


def brand_name(category_id: int, brand_id: int) -> str | None:
	"""The brand's name when it exists for the leaf, else None."""
	return next(
		(row["original_brand_name"] for row in brands(category_id) if row["brand_id"] == brand_id), None
	)
