"""Private kernels: the formula source (plain Python) and its compiled targets.

``layout``
    the program arrays' columns, the summary columns, and the table of shape codes
    (``SHAPES``) from which the codes, the feature switches and their masks are derived.
``formulas``
    the one formula source: scalar unit curves and the per-step evaluator ``value``.
``runs``
    the CPU fast build's anchored runs (cosine, exponential, tanh and polynomial pieces).
``blocks``
    CPU pieces (``piece``, ``other_piece``, ``unit_fill``) and row fills (``fill_span``).
``drivers``
    CPU entry points (``fill_rows``, ``summarize_rows``, ``eval_points``).
``reduce``
    users' summary reducers (functions of one row) compiled into a parallel row kernel.
``fastmath``
    the CPU's vectorisable primitives.
``retarget``
    compiles plain-Python modules for a target in one shared namespace.
``cpu``, ``cuda``
    the builds: Numba CPU variants per feature set, and CUDA device functions and kernels.

``layout`` and ``formulas`` import nothing heavy (the specs use them at import); ``runs`` and
``blocks`` need numpy, ``drivers`` numba's ``prange``; ``cpu`` (numba) and ``cuda`` (numba.cuda)
are imported on first use. Nothing here imports fastlr outside this package.
"""
