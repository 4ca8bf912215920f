"""Every dialect module says which peer, and which version of it, it reproduces."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import fastlr.presets

PUBLIC = sorted(m.name for m in pkgutil.iter_modules(fastlr.presets.__path__) if not m.name.startswith("_"))


def test_registry_lists_every_public_module():
    assert sorted(fastlr.presets.MODULES) == PUBLIC


@pytest.mark.parametrize("name", PUBLIC)
def test_module_names_its_peer_and_version(name):
    module = importlib.import_module(f"fastlr.presets.{name}")
    for attr in ("PEER", "PEER_VERSION"):
        value = getattr(module, attr, None)
        assert isinstance(value, str) and value.strip(), f"fastlr.presets.{name}.{attr} = {value!r}"
    assert not hasattr(module, "VERSION"), f"fastlr.presets.{name}: VERSION is spelled PEER_VERSION"
