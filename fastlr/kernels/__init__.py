"""Private kernels: the formula source (plain Python) and its compiled targets.

``formulas`` and ``layout`` import nothing heavy; ``cpu`` (numba) and ``cuda`` (numba.cuda)
are imported on first use.
"""
