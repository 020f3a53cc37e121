"""Fixed product catalogue, currencies and small deterministic helpers of the sandbox data."""

from decimal import ROUND_HALF_UP, Decimal

UNMAPPED_SKU = "SANDBOX-UNMAPPED"
BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MASK64 = (1 << 64) - 1

# rate from the SGD base prices below, and decimals allowed in the currency (fact sheet §12.3)
CURRENCIES = {
	"SGD": (Decimal("1"), 2),
	"MYR": (Decimal("3.4"), 2),
	"BRL": (Decimal("4"), 2),
	"MXN": (Decimal("13"), 2),
	"PLN": (Decimal("3"), 2),
	"PHP": (Decimal("42"), 0),
	"THB": (Decimal("26"), 0),
	"TWD": (Decimal("24"), 0),
	"VND": (Decimal("18000"), 0),
	"IDR": (Decimal("11500"), 0),
}

# (code, name, SGD price, weight kg, variants [(model name, price delta)] or None, parent SKU shown)
_PRODUCTS = (
	("TEE", "Cotton Crew Tee", "12.90", 0.2, [("Black,S", "0"), ("Black,M", "0"), ("White,L", "1.00")], True),
	("HOOD", "Zip Hoodie", "39.90", 0.6, [("Grey,M", "0"), ("Grey,L", "0"), ("Navy,XL", "2.00")], True),
	("CAP", "Baseball Cap", "15.50", 0.15, [("Red", "0"), ("Blue", "0")], False),
	("SOCK", "Ankle Socks 3-Pack", "8.90", 0.1, [("Size 39-42", "0"), ("Size 43-46", "0.50")], True),
	("MUG", "Ceramic Mug 350ml", "9.90", 0.4, [("Matte Black", "0"), ("Sand", "0")], False),
	("CASE", "Phone Case", "11.00", 0.05, [("Model A", "0"), ("Model B", "0"), ("Model C", "1.50")], True),
	("BAG", "Canvas Tote Bag", "18.00", 0.3, [("Natural", "0"), ("Olive", "0")], False),
	("LAMP", "Desk Lamp LED", "45.00", 1.1, [("Warm", "0"), ("Cool", "0")], True),
	("BOTL", "Steel Water Bottle", "22.90", 0.45, [("500ml", "0"), ("750ml", "4.00")], True),
	("SHOE", "Canvas Sneakers", "59.00", 0.9, [("EU40", "0"), ("EU42", "0"), ("EU44", "0")], False),
	("PILW", "Memory Foam Pillow", "34.50", 1.2, [("Standard", "0"), ("King", "8.00")], True),
	("CHGR", "USB-C Charger 20W", "19.90", 0.1, None, True),
	("CABL", "USB-C Cable 1m", "6.90", 0.05, None, True),
	("EARB", "Wireless Earbuds", "79.00", 0.2, None, True),
	("MOUS", "Wireless Mouse", "25.00", 0.15, None, True),
	("KEYB", "Mechanical Keyboard", "129.00", 1.0, None, True),
	("NOTE", "A5 Notebook", "4.50", 0.25, None, True),
	("PENS", "Gel Pens 10-Pack", "7.20", 0.12, None, True),
	("SOAP", "Olive Soap Bar", "3.90", 0.1, None, True),
	("TOWL", "Bath Towel", "16.80", 0.5, None, True),
	("TEA", "Green Tea 50 Bags", "9.50", 0.2, None, True),
	("COFE", "Coffee Beans 250g", "17.00", 0.3, None, True),
	("SNAK", "Mixed Nuts 500g", "13.40", 0.55, None, True),
	("VITC", "Vitamin C 60 Tabs", "14.90", 0.1, None, True),
	("YOGA", "Yoga Mat 6mm", "32.00", 1.5, None, True),
	("DUMB", "Dumbbell 5kg", "28.00", 5.0, None, True),
	("PLNT", "Succulent Pot", "6.00", 0.35, None, True),
	("CNDL", "Scented Candle", "21.00", 0.4, None, True),
	("UMBR", "Foldable Umbrella", "14.00", 0.35, None, True),
)
_UNMAPPED = ("UNMP", "Mystery Gift Box", "10.00", 0.3, None, True)
# Harsh mode only: listings as real shops have them. Codes starting "-" have no SKU at all, and the
# two "SHARED" listings carry one SKU between them.
_HARSH = (
	("-KEYC", "Pebble Keychain", "5.90", 0.05, None, True),
	("-SCRF", "Hand-dyed Scarf", "24.00", 0.2, [("Indigo", "0"), ("Rust", "0")], True),
	("SHARED", "Linen Cushion Cover", "16.00", 0.3, None, True),
	("SHARED", "Linen Cushion Cover (Set of 2)", "29.00", 0.6, None, True),
)
# One listing with ids above 2**53, as in Shopee's own examples, to catch float-parsed ids.
_BIG_ID_CODE = "KEYB"
_BIG_ITEM_ID = 9_007_199_254_740_993


def mix(*values: int) -> int:
	"""A cheap deterministic 64-bit hash of integers (splitmix64 steps), for per-order decisions."""
	state = 0x9E3779B97F4A7C15
	for value in values:
		state = (state ^ (value & MASK64)) & MASK64
		state = (state + 0x9E3779B97F4A7C15) & MASK64
		state = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
		state = ((state ^ (state >> 27)) * 0x94D049BB133111EB) & MASK64
		state ^= state >> 31
	return state


def base36(number: int, width: int) -> str:
	"""Upper-case base-36 digits of number, left-padded to width."""
	chars = []
	for _ in range(width):
		number, digit = divmod(number, 36)
		chars.append(BASE36[digit])
	return "".join(reversed(chars))


def currency_spec(currency: str) -> tuple[Decimal, int]:
	"""(rate from the SGD base prices, decimals) of a currency; unknown ones behave like SGD."""
	return CURRENCIES.get(currency, CURRENCIES["SGD"])


def quantum(decimals: int) -> Decimal:
	return Decimal(1).scaleb(-decimals)


def to_money(value: Decimal | str | int, decimals: int) -> Decimal:
	"""Round half-up to the currency's decimals."""
	return Decimal(value).quantize(quantum(decimals), rounding=ROUND_HALF_UP)


def _listing(number: int, spec: tuple) -> dict:
	code, name, price, weight, variants, parent_sku = spec
	item_id = _BIG_ITEM_ID if code == _BIG_ID_CODE else 3_100_000_000 + number * 7919
	sku = UNMAPPED_SKU if spec is _UNMAPPED else ("" if code.startswith("-") else f"SBX-{code}")
	product = {
		"item_id": item_id,
		"item_name": f"Sandbox {name}",
		"item_sku": sku if (parent_sku or not variants) else "",
		"weight": weight,
		"price": Decimal(price),
		"models": [],
	}
	for position, (model_name, delta) in enumerate(variants or []):
		product["models"].append(
			{
				"model_id": item_id * 10 + position + 1
				if item_id > 2**53
				else 8_200_000_000 + number * 100 + position,
				"model_name": model_name,
				"model_sku": f"{sku}-{position + 1:02d}" if sku else "",
				"price": Decimal(price) + Decimal(delta),
			}
		)
	return product


PRODUCTS = tuple(_listing(number, spec) for number, spec in enumerate(_PRODUCTS, start=1))
UNMAPPED_PRODUCT = _listing(len(_PRODUCTS) + 1, _UNMAPPED)
HARSH_PRODUCTS = tuple(_listing(number, spec) for number, spec in enumerate(_HARSH, start=len(_PRODUCTS) + 2))


def sellable_units(product: dict) -> list[dict]:
	"""The product's orderable units: one per model, or the item itself (model_id 0)."""
	if not product["models"]:
		return [{"model_id": 0, "model_name": "", "model_sku": "", "price": product["price"]}]
	return product["models"]


def line_identity(line: dict) -> dict:
	"""The product and model fields every order or escrow line repeats."""
	product, unit = line["product"], line["unit"]
	return {
		"item_id": product["item_id"],
		"item_name": product["item_name"],
		"item_sku": product["item_sku"],
		"model_id": unit["model_id"],
		"model_name": unit["model_name"],
		"model_sku": unit["model_sku"],
	}
