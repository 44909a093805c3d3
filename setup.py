"""The package list, which pyproject.toml cannot say alone: every package under duty_tui/ (found, as
``[tool.setuptools.packages.find]`` would), plus the repository's top-level data/ and keymaps/ folders
shipped inside the wheel as ``duty_tui._data`` and ``duty_tui._keymaps`` (their folders are mapped in
pyproject.toml's ``[tool.setuptools.package-dir]``, their files in its ``package-data``).

Everything else about the project is in pyproject.toml. tests/test_wheel.py builds the wheel and runs it.
"""

from setuptools import find_namespace_packages, setup

SHIPPED_FOLDERS = ["duty_tui._data", "duty_tui._keymaps"]

setup(packages=[*find_namespace_packages(include=["duty_tui", "duty_tui.*"], exclude=["*.__pycache__"]),
                *SHIPPED_FOLDERS])
