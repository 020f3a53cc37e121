"""media_space/upload_image: one JPG/JPEG/PNG file (by its first bytes, at most 10 MB) per call.

Shopee's reference lists it with partner-level (Public) signing; the app signs it like a shop API
(partner_id, timestamp, access_token, shop_id, sign) and the sandbox checks whichever auth.py names,
so both sides follow auth.is_public_path. The body is multipart/form-data: field "image" (one file)
and optional "scene" (normal | desc).
"""

from shopee_bridge.sandbox.calls import Call, Reply
from shopee_bridge.sandbox.errors import ApiError, success_envelope


def upload_image(sandbox, call: Call) -> Reply:
	"""media_space/upload_image: {image_info: {image_id, image_url_list}}."""
	uploads = call.files.get("image") or []
	if not uploads:
		raise ApiError("error_param", "Wrong parameters, detail: image is required (multipart field image).")
	if len(uploads) > 1:
		raise ApiError("error_param", "Wrong parameters, detail: upload one image per call.")
	images = sandbox.dataset.products.images
	scene = str(call.body.get("scene") or "normal")
	image_id = images.add(uploads[0].content, scene, call.shop_id)
	return Reply(
		200, success_envelope({"image_info": {"image_id": image_id, "image_url_list": images.urls(image_id)}})
	)


ROUTES = {"/api/v2/media_space/upload_image": ("POST", upload_image)}
