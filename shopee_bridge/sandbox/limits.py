"""get_item_limit figures per region and category, and each shop's logistics channels.

Prices are in the shop's currency (whole units for IDR, VND, THB, PHP, TWD). Bulky leaves (lamps,
pillows, yoga mats, dumbbells) make the package dimension mandatory; weight is mandatory everywhere.
Every shop has four channels; the bulky-goods one is disabled for the shop.
"""

from decimal import Decimal

from shopee_bridge.sandbox.catalogue import currency_spec, to_money

MAX_STOCK = 999_999
MAX_IMAGE_COUNT = 9
MAX_SKU_LENGTH = 100
NON_PRE_ORDER_DAYS = 3
PRE_ORDER_DAYS = (7, 30)
MAX_WEIGHT_KG = Decimal(300)
MAX_DIMENSION_CM = 300
TIER_NAME_LENGTH = (1, 14)
TIER_OPTION_LENGTH = (1, 20)
MAX_TIERS = 2
MAX_OPTIONS = 20
MAX_MODELS = 50
DIMENSION_MANDATORY = frozenset({101015, 101021, 106001, 106002})
# region -> (item_name length, price min, price max in the shop's currency)
_REGIONS = {
	"SG": ((10, 120), Decimal("0.1"), Decimal("100000")),
	"MY": ((10, 120), Decimal("0.1"), Decimal("300000")),
	"ID": ((5, 255), Decimal("100"), Decimal("150000000")),
	"TH": ((10, 120), Decimal("1"), Decimal("3000000")),
	"PH": ((10, 120), Decimal("1"), Decimal("5000000")),
	"VN": ((10, 120), Decimal("1000"), Decimal("120000000")),
	"TW": ((5, 60), Decimal("1"), Decimal("3000000")),
	"BR": ((20, 120), Decimal("0.5"), Decimal("500000")),
}
# (channel id, name, enabled for the shop, fee type, COD, max item weight kg, max dimension cm)
CHANNELS = (
	(18025, "SPX Express", True, "SIZE_INPUT", True, 30, (100, 100, 100)),
	(18028, "Ninja Van", True, "SIZE_INPUT", False, 30, (120, 80, 80)),
	(18036, "J&T Express", True, "SIZE_INPUT", True, 50, (150, 100, 100)),
	(18099, "Sandbox Bulky Delivery", False, "CUSTOM_PRICE", False, 100, (200, 200, 200)),
)


def region_limits(region: str, currency: str) -> tuple[tuple[int, int], Decimal, Decimal]:
	"""(item_name length range, min price, max price) of a region (unknown ones scale SG's prices)."""
	if region in _REGIONS:
		return _REGIONS[region]
	rate, decimals = currency_spec(currency)
	return (10, 120), to_money(Decimal("0.1") * rate, decimals), to_money(100000 * rate, decimals)


def item_limit(shop: dict, category_id: int) -> dict:
	"""get_item_limit's response for a leaf of the shop's region."""
	names, low, high = region_limits(shop["region"], shop["currency"])
	return {
		"price_limit": {"min_limit": low, "max_limit": high},
		"wholesale_price_threshold_percentage": {"min_limit": 1, "max_limit": 100},
		"stock_limit": {"min_limit": 0, "max_limit": MAX_STOCK},
		"item_name_length_limit": {"min_limit": names[0], "max_limit": names[1]},
		"item_image_count_limit": {"min_limit": 1, "max_limit": MAX_IMAGE_COUNT},
		"item_description_length_limit": {"min_limit": 20, "max_limit": 3000},
		"tier_variation_name_length_limit": {
			"min_limit": TIER_NAME_LENGTH[0],
			"max_limit": TIER_NAME_LENGTH[1],
		},
		"tier_variation_option_length_limit": {
			"min_limit": TIER_OPTION_LENGTH[0],
			"max_limit": TIER_OPTION_LENGTH[1],
		},
		"item_count_limit": {"max_limit": 10_000},
		"dts_limit": {
			"days_to_ship_limit": {"min_limit": PRE_ORDER_DAYS[0], "max_limit": PRE_ORDER_DAYS[1]},
			"non_pre_order_days_to_ship": NON_PRE_ORDER_DAYS,
		},
		"weight_limit": {"weight_mandatory": True},
		"dimension_limit": {"dimension_mandatory": category_id in DIMENSION_MANDATORY},
		"size_chart_limit": {
			"size_chart_mandatory": False,
			"support_image_size_chart": True,
			"support_template_size_chart": False,
		},
	}


def channel_list() -> list[dict]:
	"""get_channel_list's logistics_channel_list (the same channels for every sandbox shop)."""
	return [
		{
			"logistics_channel_id": channel_id,
			"logistics_channel_name": name,
			"cod_enabled": cod,
			"enabled": enabled,
			"fee_type": fee_type,
			"size_list": [],
			"weight_limit": {"item_max_weight": max_weight, "item_min_weight": 0.01},
			"item_max_dimension": {
				"length": dimension[0],
				"width": dimension[1],
				"height": dimension[2],
				"unit": "cm",
				"dimension_sum": sum(dimension),
			},
			"volume_limit": {"item_max_volume": 0, "item_min_volume": 0},
			"logistics_description": "",
			"force_enable": False,
			"mask_channel_id": 0,
			"block_seller_cover_shipping_fee": False,
			"support_cross_border": False,
			"preprint": False,
		}
		for channel_id, name, enabled, fee_type, cod, max_weight, dimension in CHANNELS
	]


def channel(channel_id: int) -> tuple | None:
	return next((row for row in CHANNELS if row[0] == channel_id), None)
