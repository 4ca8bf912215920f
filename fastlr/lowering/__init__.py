"""Lowering: schedule specs and flat configs -> the :class:`Program` that kernels read.

- :mod:`~fastlr.lowering.segments`: each curve's segments, for columns of parameters (a shape
  object is the one-row case);
- :mod:`~fastlr.lowering.rows`: the per-row fields (warmup, restarts, scale, floor, epochs);
- :mod:`~fastlr.lowering.program`: :class:`Program`, packing rows and segments, and lowering
  schedule objects;
- :mod:`~fastlr.lowering.configs`: flat configs (the sweep vocabulary), lowered in one pass.

This package's ``__init__`` imports nothing, so the spec modules can import its submodules.
"""
