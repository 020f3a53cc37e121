"""A local Shopee Open Platform v2 sandbox: seeded data, Shopee's checks and fault injection, on 127.0.0.1.

Shopee side only (no frappe), so plain pytest and a Frappe bench can both run it.
"""

from shopee_bridge.sandbox.data import Dataset
from shopee_bridge.sandbox.server import FAULT_KINDS, SandboxServer

__all__ = ["FAULT_KINDS", "Dataset", "SandboxServer"]
