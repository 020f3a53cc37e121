# Kept for tools that still read setup.py; the build is defined in pyproject.toml (flit).
from setuptools import find_packages, setup

from shopee_bridge import __version__ as version

setup(
	name="shopee_bridge",
	version=version,
	description="Run a Shopee seller's back office inside ERPNext",
	author="Shopee Bridge developers",
	packages=find_packages(exclude=["tests", "benchmarks"]),
	zip_safe=False,
	include_package_data=True,
	install_requires=["requests>=2.31"],
)
