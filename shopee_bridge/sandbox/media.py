"""Images uploaded through media_space/upload_image, checked by their first bytes like Shopee does.

Image ids belong to the partner (upload_image is not tied to a listing): add_item and the tier
options accept any id this sandbox issued and refuse every other one ("Image not exist.").
"""

import hashlib
import threading

from shopee_bridge.sandbox.errors import ApiError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
SCENES = ("normal", "desc")
CDN_HOSTS = {
	"SG": "cf.shopee.sg",
	"MY": "cf.shopee.com.my",
	"ID": "cf.shopee.co.id",
	"TH": "cf.shopee.co.th",
	"PH": "cf.shopee.ph",
	"VN": "cf.shopee.vn",
	"TW": "cf.shopee.tw",
	"BR": "cf.shopee.com.br",
}


def image_format(content: bytes) -> str | None:
	"""JPEG or PNG by magic bytes, else None."""
	if content.startswith(b"\xff\xd8\xff"):
		return "JPEG"
	if content.startswith(b"\x89PNG\r\n\x1a\n"):
		return "PNG"
	return None


class ImageStore:
	"""Every image uploaded to the sandbox: image_id -> its format, size and scene."""

	def __init__(self, regions: list[str]):
		self.regions = list(dict.fromkeys(regions)) or ["SG"]
		self._lock = threading.Lock()
		self._images: dict[str, dict] = {}

	def add(self, content: bytes, scene: str, shop_id: int | None) -> str:
		"""Check and keep one uploaded image; returns its image_id."""
		if scene not in SCENES:
			raise ApiError("error_param", "Wrong parameters, detail: scene should be normal or desc.")
		if not content:
			raise ApiError("error_param", "Wrong parameters, detail: the image file is empty.")
		if len(content) > MAX_IMAGE_BYTES:
			raise ApiError("error_param", "Wrong parameters, detail: the image is larger than 10.0 MB.")
		kind = image_format(content)
		if kind is None:
			raise ApiError(
				"error_param", "Wrong parameters, detail: image format should be one of JPG, JPEG, PNG."
			)
		digest = hashlib.sha1(content).hexdigest()
		with self._lock:
			image_id = f"sg-11134201-{digest[:5]}-{len(self._images) + 1:06x}{digest[5:13]}"
			self._images[image_id] = {
				"format": kind,
				"size": len(content),
				"scene": scene,
				"shop_id": shop_id,
			}
		return image_id

	def exists(self, image_id) -> bool:
		with self._lock:
			return isinstance(image_id, str) and image_id in self._images

	def urls(self, image_id: str) -> list[dict]:
		"""image_url_list of upload_image: one URL per region of the sandbox shops."""
		return [
			{"image_url_region": region, "image_url": self.url(image_id, region)} for region in self.regions
		]

	def url(self, image_id: str, region: str | None = None) -> str:
		host = CDN_HOSTS.get(region or self.regions[0], "cf.shopee.sg")
		return f"https://{host}/file/{image_id}"
