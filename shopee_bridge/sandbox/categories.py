"""The sandbox's category tree (3 levels, 39 leaves) and category_recommend's keyword match.

Only leaves take listings (add_item refuses a parent). Every catalogue listing lands in a leaf by its
name, the way category_recommend would place it.
"""

import re

# (category_id, parent_category_id, name, keywords): keywords only on leaves, matched as whole words
# (a trailing "s"/"es" allowed) in the item name.
_TREE = (
	(100010, 0, "Home & Living", ()),
	(100100, 100010, "Kitchen & Dining", ()),
	(101001, 100100, "Mugs", ("mug", "cup", "tumbler")),
	(101002, 100100, "Water Bottles", ("water bottle", "bottle", "flask")),
	(101003, 100100, "Drinking Glasses", ("glass", "glassware")),
	(100101, 100010, "Home Decor", ()),
	(101011, 100101, "Candles & Holders", ("candle", "tealight")),
	(101012, 100101, "Wall Decals", ("wall decal", "wall sticker", "decal")),
	(101013, 100101, "Cushion Covers", ("cushion cover", "cushion", "pillowcase")),
	(101014, 100101, "Plant Pots", ("pot", "planter", "succulent")),
	(101015, 100101, "Lamps", ("lamp", "light", "led")),
	(100102, 100010, "Bedding & Bath", ()),
	(101021, 100102, "Pillows", ("pillow",)),
	(101022, 100102, "Towels", ("towel",)),
	(101023, 100102, "Soap", ("soap",)),
	(100020, 0, "Fashion", ()),
	(100200, 100020, "Tops", ()),
	(102001, 100200, "T-Shirts", ("t-shirt", "tshirt", "tee", "crew neck")),
	(102002, 100200, "Hoodies & Sweatshirts", ("hoodie", "sweatshirt", "zip hoodie")),
	(100201, 100020, "Accessories", ()),
	(102011, 100201, "Caps & Hats", ("cap", "hat", "beanie")),
	(102012, 100201, "Socks", ("sock",)),
	(102013, 100201, "Tote Bags", ("tote bag", "tote", "bag")),
	(102014, 100201, "Scarves", ("scarf", "scarves", "shawl")),
	(102015, 100201, "Keychains", ("keychain", "key ring")),
	(102016, 100201, "Umbrellas", ("umbrella",)),
	(102017, 100201, "Watches", ("watch",)),
	(100202, 100020, "Shoes", ()),
	(102021, 100202, "Sneakers", ("sneaker", "trainer", "shoe")),
	(100030, 0, "Mobile & Gadgets", ()),
	(100300, 100030, "Phone Accessories", ()),
	(103001, 100300, "Phone Cases", ("phone case", "case", "phone cover")),
	(103002, 100300, "Screen Protectors", ("screen protector", "tempered glass")),
	(103003, 100300, "Chargers", ("charger", "power adapter")),
	(103004, 100300, "Cables", ("cable", "usb-c cable")),
	(100301, 100030, "Audio", ()),
	(103011, 100301, "Earphones", ("earbud", "earphone", "headphone")),
	(103012, 100301, "Speakers & Radios", ("speaker", "radio")),
	(100302, 100030, "Computer Accessories", ()),
	(103021, 100302, "Mice", ("mouse", "mice")),
	(103022, 100302, "Keyboards", ("keyboard",)),
	(100040, 0, "Stationery & Gifts", ()),
	(100400, 100040, "Paper & Writing", ()),
	(104001, 100400, "Notebooks", ("notebook", "journal", "planner")),
	(104002, 100400, "Pens", ("pen", "pencil", "marker")),
	(104003, 100400, "Stickers", ("sticker", "sticker pack", "label")),
	(100401, 100040, "Gifts & Wrapping", ()),
	(104011, 100401, "Gift Boxes", ("gift box", "gift", "hamper")),
	(100050, 0, "Food & Beverages", ()),
	(100500, 100050, "Beverages", ()),
	(105001, 100500, "Tea", ("tea", "green tea", "tea bag")),
	(105002, 100500, "Coffee", ("coffee", "coffee bean", "espresso")),
	(100501, 100050, "Snacks", ()),
	(105011, 100501, "Nuts & Seeds", ("nut", "mixed nuts", "almond", "seed")),
	(100060, 0, "Sports & Health", ()),
	(100600, 100060, "Fitness", ()),
	(106001, 100600, "Yoga Mats", ("yoga mat", "yoga", "exercise mat")),
	(106002, 100600, "Dumbbells", ("dumbbell", "kettlebell")),
	(100601, 100060, "Supplements", ()),
	(106011, 100601, "Vitamins", ("vitamin", "supplement", "tablet", "tabs")),
)
CATEGORIES = {row[0]: row for row in _TREE}
PARENTS = {row[1] for row in _TREE}
LEAVES = tuple(row[0] for row in _TREE if row[0] not in PARENTS)
LANGUAGES = ("en", "zh-hans", "ms", "ms-my", "id", "th", "vi", "zh-hant", "pt-br")
_PATTERNS = {
	category_id: [
		re.compile(r"(?<![\w-])" + re.escape(keyword) + r"(?:s|es)?(?![\w-])", re.IGNORECASE)
		for keyword in row[3]
	]
	for category_id, row in CATEGORIES.items()
}


def is_leaf(category_id: int) -> bool:
	return category_id in CATEGORIES and category_id not in PARENTS


def category_list() -> list[dict]:
	"""get_category's category_list, parents before their children."""
	return [
		{
			"category_id": category_id,
			"parent_category_id": parent_id,
			"original_category_name": name,
			"display_category_name": name,
			"has_children": category_id in PARENTS,
		}
		for category_id, parent_id, name, _keywords in _TREE
	]


def recommend(item_name: str) -> list[int]:
	"""Leaf ids whose keywords occur in item_name: most matches first, then the match nearest the end
	(the head noun: "Ceramic Coffee Mug" is a mug), then the longest keyword."""
	scored = []
	for position, category_id in enumerate(LEAVES):
		found = [match for pattern in _PATTERNS[category_id] for match in pattern.finditer(item_name)]
		if found:
			last_end = max(match.end() for match in found)
			longest = max(len(match.group()) for match in found)
			scored.append((-len(found), -last_end, -longest, position, category_id))
	return [row[-1] for row in sorted(scored)]


def catalogue_category(item_name: str) -> int:
	"""The leaf a catalogue listing sits in: the best recommendation, else Gift Boxes."""
	found = recommend(item_name)
	return found[0] if found else 104011
