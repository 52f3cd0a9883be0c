"""The benchmark's floor (bench/bare_spiff.py) must be able to run the same BPMN as the engine."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from engine.scripting import script_functions

BARE = Path(__file__).resolve().parents[2] / "bench" / "bare_spiff.py"


def test_floor_offers_every_script_function_the_engine_offers(monkeypatch):
    spec = importlib.util.spec_from_file_location("bare_spiff", BARE)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bare_spiff", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    assert set(module.SCRIPT_FUNCTIONS) == set(script_functions())
