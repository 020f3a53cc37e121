"""Every sandbox API path and its handler, and handle(): the common checks, then the endpoint.

The only module that imports the endpoint modules, so none of them imports another's importer.
"""

from shopee_bridge.sandbox import api, listing_api, logistics_api, media_api, product_api, returns_api
from shopee_bridge.sandbox.calls import Call, Reply, check_common
from shopee_bridge.sandbox.errors import ApiError

ROUTES = {
	**api.ROUTES,
	**logistics_api.ROUTES,
	**returns_api.ROUTES,
	**product_api.ROUTES,
	**listing_api.ROUTES,
	**media_api.ROUTES,
}


def handle(sandbox, call: Call) -> Reply:
	"""Run the common checks and the endpoint; Shopee errors become error envelopes by the caller."""
	route = ROUTES.get(call.path)
	if route is None:
		raise ApiError("error_not_found", "Wrong path, this api does not exist.", 404)
	method, handler = route
	if call.method != method:
		raise ApiError("error_not_found", f"{call.path} only supports {method}.", 404)
	check_common(sandbox, call)
	return handler(sandbox, call)
