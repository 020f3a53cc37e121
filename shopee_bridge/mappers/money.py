"""Decimal money helpers for Shopee amounts (JSON floats in the order's currency)."""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

# Shopee prices these currencies in whole units.
WHOLE_UNIT_CURRENCIES = frozenset({"IDR", "VND", "CLP", "COP", "KRW", "TWD"})

ZERO = Decimal(0)
# Far above any order (10^15 VND is 40 billion USD); beyond it, Decimal arithmetic would overflow.
MAX_AMOUNT = Decimal(10) ** 15


def currency_step(currency: str) -> Decimal:
	"""Smallest amount of `currency` that Shopee uses: 1 or 0.01."""
	return Decimal(1) if currency.upper() in WHOLE_UNIT_CURRENCIES else Decimal("0.01")


def to_decimal(value) -> Decimal:
	"""Exact Decimal of a JSON number; floats go through str() so 19.9 stays 19.9. None and "" are 0."""
	if value is None or value == "":
		return ZERO
	if isinstance(value, Decimal):
		return value
	if isinstance(value, bool) or not isinstance(value, int | float | str):
		raise ValueError(f"Not an amount: {str(value)[:40]!r}")
	try:
		amount = Decimal(str(value).strip())
	except InvalidOperation:
		raise ValueError(f"Not an amount: {str(value)[:40]!r}") from None
	if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
		raise ValueError(f"Not an amount Shopee would send: {str(value)[:40]!r}")
	return amount


def quantize(amount, currency: str) -> Decimal:
	"""Round half up to the currency's step; never returns negative zero."""
	return to_decimal(amount).quantize(currency_step(currency), ROUND_HALF_UP) + 0


def allocate(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
	"""Split `total` in proportion to `weights`, in currency steps, so the parts add up to it exactly."""
	if not weights:
		return []
	step = currency_step(currency)
	units = int(quantize(total, currency) / step)
	if sum(weights) <= 0:
		weights = [Decimal(1)] * len(weights)
	weight_sum = sum(weights)
	exact = [Decimal(units) * weight / weight_sum for weight in weights]
	parts = [int(share.to_integral_value(ROUND_FLOOR)) for share in exact]
	# Largest remainder: the steps left over go to the biggest fractions, the earlier line on ties.
	by_fraction = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
	for i in by_fraction[: units - sum(parts)]:
		parts[i] += 1
	return [part * step for part in parts]


def split_line(total: Decimal, qty: int, currency: str) -> list[tuple[int, Decimal]]:
	"""(qty, rate) rows whose rate x qty add up to `total` exactly, in currency steps."""
	if qty <= 0:
		raise ValueError(f"Quantity must be positive, got {qty}")
	step = currency_step(currency)
	units = int(quantize(total, currency) / step)
	base, extra = divmod(units, qty)
	rows = [(qty - extra, base * step)]
	if extra:
		rows.append((extra, (base + 1) * step))
	return rows
