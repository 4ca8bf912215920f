"""SPECs: one schedule named on the command line or in a sweep file, and the files they live in.

A SPEC is a data file (``.json``, ``.toml``, ``.yaml``/``.yml``), inline JSON, or a dialect call
``module:function,arg,key=value,...`` (see :func:`load_spec`). Errors are :class:`CLIError`
(exit status 2); when the SPEC is one line of text, the error carries the span of the
offending field, and :meth:`CLIError.render` draws carets under it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import fastlr
from fastlr._spec import Spec, from_dict
from fastlr.lowering.configs import ALIASES, COLUMNS, canonical

__all__ = [
    "DATA_SUFFIXES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "CLIError",
    "MissingDependency",
    "check_size",
    "flat_schedule",
    "from_dict_located",
    "load_data",
    "load_spec",
    "public_names",
    "spec_from_data",
]

DATA_SUFFIXES = (".json", ".toml", ".yaml", ".yml")
#: The largest SPEC or sweep config file read (bytes).
MAX_FILE_BYTES = 64 << 20
#: The most values a YAML file may hold (every list item and mapping value, aliases counted at
#: each use), and the deepest nesting of any data file.
MAX_NODES = 2_000_000
MAX_DEPTH = 100


class CLIError(ValueError):
    """Bad user input (exit status 2); ``text``/``span`` locate the offending field."""

    def __init__(
        self, message: str, text: str | None = None, span: tuple[int, int] | None = None, field: str | None = None
    ):
        super().__init__(message)
        self.text = text
        self.span = span
        self.field = field

    def render(self) -> str:
        """The message, then the SPEC with carets under the offending field."""
        msg = str(self)
        if self.text is None or self.span is None or "\n" in self.text:
            return msg
        a, b = self.span
        return f"{msg}\n  {self.text}\n  {' ' * a}{'^' * max(1, b - a)}"


class MissingDependency(ImportError):
    """An optional dependency is needed for what was asked (exit status 1)."""


# ---- reading files ---------------------------------------------------------------------------


def load_data(path: str | Path) -> Any:
    """Parse a JSON, TOML or YAML file (by suffix) into plain Python data."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise CLIError(f"{p}: unknown file type {p.suffix!r}; use one of {', '.join(DATA_SUFFIXES)}")
    raw = _read_regular(p)
    if suffix == ".json":
        try:
            return check_size(json.loads(raw), str(p))
        except json.JSONDecodeError as exc:
            raise CLIError(f"{p}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise CLIError(f"{p}: nested more than {MAX_DEPTH} levels deep") from None
    if suffix == ".toml":
        toml = _toml()
        try:
            return check_size(toml.loads(raw.decode()), str(p))
        except (toml.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CLIError(f"{p}: invalid TOML: {exc}") from None
        except RecursionError:
            raise CLIError(f"{p}: nested more than {MAX_DEPTH} levels deep") from None
    try:
        import yaml
    except ImportError:
        raise MissingDependency(
            f"{p}: reading YAML needs PyYAML (pip install pyyaml); or write the file as JSON or TOML"
        ) from None
    try:
        data = yaml.load(raw, Loader=_yaml_loader(yaml))  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise CLIError(f"{p}: invalid YAML: {exc}") from None
    except RecursionError:
        raise CLIError(f"{p}: nested more than {MAX_DEPTH} levels deep") from None
    return check_size(data, str(p), MAX_NODES)


def _read_regular(p: Path) -> bytes:
    """A regular file's bytes, at most :data:`MAX_FILE_BYTES` (a FIFO or a device such as
    ``/dev/zero`` would block or never end)."""
    import stat

    try:
        st = p.stat()
    except FileNotFoundError:
        raise CLIError(f"{p}: no such file") from None
    except OSError as exc:
        raise CLIError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe or a device)"
        raise CLIError(f"{p}: {kind}; give a .json, .toml or .yaml file")
    try:
        with p.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise CLIError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise CLIError(f"{p}: larger than {MAX_FILE_BYTES >> 20} MiB; a SPEC or sweep file is small")
    return raw


def check_size(data: Any, where: str, max_nodes: int | None = None) -> Any:
    """``data`` if it is nested at most :data:`MAX_DEPTH` deep, without cycles, and holds at
    most ``max_nodes`` values (when given); else a :class:`CLIError`.

    Shared lists and mappings (YAML aliases) are counted each time they are used, as the data
    expands downstream (a "billion laughs" file of a few hundred bytes would otherwise expand
    into gigabytes); each distinct one is walked once, so the check itself is cheap. JSON and
    TOML cannot share, so their size is bounded by the file's.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    # iterative depth-first walk: (object, depth, children pushed?)
    stack: list[tuple[Any, int, bool]] = [(data, 0, False)]
    while stack:
        obj, depth, done = stack.pop()
        if not isinstance(obj, (list, dict)):
            continue
        key = id(obj)
        items = list(obj.values()) if isinstance(obj, dict) else obj
        if done:
            active.discard(key)
            sizes[key] = len(items) + sum(sizes.get(id(v), 0) for v in items if isinstance(v, (list, dict)))
            if max_nodes is not None and sizes[key] > max_nodes:
                raise CLIError(
                    f"{where}: holds more than {max_nodes:,} values once its aliases are expanded; "
                    "a sweep file lists axes (a grid) or configs, not tables"
                )
            continue
        if key in sizes:
            continue
        if key in active:
            raise CLIError(f"{where}: refers to itself (a YAML alias inside its own anchor)")
        if depth > MAX_DEPTH:
            raise CLIError(f"{where}: nested more than {MAX_DEPTH} levels deep")
        active.add(key)
        stack.append((obj, depth, True))
        stack.extend((v, depth + 1, False) for v in items)
    return data


def _yaml_loader(yaml: Any) -> Any:
    """PyYAML's SafeLoader that also reads ``3e-4`` as a float (YAML 1.1 wants ``3.0e-4``)."""

    class Loader(yaml.SafeLoader):  # type: ignore[misc, name-defined]
        pass

    number = re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")
    Loader.add_implicit_resolver("tag:yaml.org,2002:float", number, list("-+0123456789"))
    return Loader


def _toml() -> Any:
    """The TOML reader: ``tomllib``, or ``tomli`` on Python 3.10."""
    try:
        import tomllib

        return tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli

            return tomli
        except ImportError:
            raise MissingDependency(
                "reading TOML on Python 3.10 needs tomli (pip install tomli); or write the file as JSON"
            ) from None


# ---- SPECs -----------------------------------------------------------------------------------


_DIALECT = re.compile(r"([A-Za-z_]\w*):(.*)", re.S)
_BARE = re.compile(r"[A-Za-z_][\w.\-]*")


def load_spec(text: str, steps: int | None = None) -> Spec:
    """Build the schedule a SPEC names (see the module docstring for the three forms).

    ``steps`` (the table length T) fills a flat config's missing ``steps`` column.
    """
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            data = check_size(json.loads(stripped), "SPEC")
        except json.JSONDecodeError as exc:
            lead = len(text) - len(text.lstrip())
            raise CLIError(f"SPEC is not valid JSON: {exc.msg}", text, (lead + exc.pos, lead + exc.pos + 1)) from None
        except RecursionError:
            raise CLIError(f"SPEC: nested more than {MAX_DEPTH} levels deep") from None
        try:
            return spec_from_data(data, "SPEC", steps)
        except CLIError as exc:
            if exc.field is not None and text.count(f'"{exc.field}"') == 1:
                a = text.index(f'"{exc.field}"')
                raise CLIError(str(exc), text, (a, a + len(exc.field) + 2)) from None
            raise
    path = Path(text)
    if path.suffix.lower() in DATA_SUFFIXES or path.exists():
        if path.is_dir():
            raise CLIError(f"SPEC {text!r} is a directory, not a file")
        data = load_data(path)
        try:
            return spec_from_data(data, str(path), steps)
        except RecursionError:
            raise CLIError(f"{path}: the schedule is nested too deeply") from None
    m = _DIALECT.fullmatch(stripped)
    if m:
        return _dialect_call(stripped, m.group(1), m.group(2), len(m.group(1)) + 1)
    raise CLIError(
        f"SPEC {text!r} is not a file, inline JSON or a dialect call; forms: schedule.json|.toml|.yaml, "
        '\'{"type": "Schedule", ...}\', module:function,key=value,... (see `fastlr presets`)'
    )


def spec_from_data(data: Any, where: str, steps: int | None = None) -> Spec:
    """A schedule from parsed data: a ``to_dict()`` (with ``"type"``) or a flat config."""
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        raise CLIError(
            f"{where}: a SPEC holds one schedule (a mapping), got {kind}; for several, use `fastlr sweep` "
            "with a configs list"
        )
    if "type" in data:
        return from_dict_located(data, where, "")
    return flat_schedule(data, where, steps)


def flat_schedule(config: Mapping[str, Any], where: str, steps: int | None = None) -> Spec:
    """``fastlr.config_schedule`` of a flat config; ``steps`` (the table length) is its
    ``total_steps`` unless it gives one (an absent decay length fills the table)."""
    unknown = sorted(str(k) for k in config if k not in COLUMNS and k not in ALIASES)
    if unknown:
        raise CLIError(
            f"{where}: unknown config column(s) {unknown}; valid columns: {', '.join(COLUMNS)} "
            "or an alias (docs/configs.md); a schedule's to_dict() has a 'type' key instead"
        )
    try:
        params = canonical(config)
        if steps is not None:
            params.setdefault("total_steps", steps)
        return fastlr.config_schedule(**params)
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        if steps is None and "does not give" in msg:
            msg += " (or pass --steps)"
        raise CLIError(f"{where}: {msg}", field=_named_field(msg, config)) from None


def _named_field(message: str, keys: Any) -> str | None:
    """The first of ``keys`` that the message names (as a whole word)."""
    return next((k for k in keys if k != "type" and re.search(rf"\b{re.escape(str(k))}\b", message)), None)


def from_dict_located(data: dict[str, Any], where: str, path: str) -> Spec:
    """``fastlr.from_dict``, nested specs first, so an error names the innermost bad spec."""

    def walk(value: Any, sub: str) -> None:
        if isinstance(value, dict) and "type" in value:
            from_dict_located(value, where, sub)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{sub}.{k}" if sub else str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{sub}[{i}]")

    for key, value in data.items():
        if key != "type":
            walk(value, f"{path}.{key}" if path else key)
    try:
        return from_dict(data)
    except (ValueError, TypeError) as exc:
        at = f" at {path}" if path else ""
        raise CLIError(f"{where}{at}: {exc}", field=_named_field(str(exc), data)) from None


# ---- dialect calls ---------------------------------------------------------------------------


def _split_items(body: str, base: int) -> list[tuple[str, int, int]]:
    """Top-level comma-separated items of ``body`` with their spans in the whole SPEC."""
    items: list[tuple[str, int, int]] = []
    depth, quote, start = 0, "", 0
    for i, ch in enumerate(body):
        if quote:
            if ch == quote and body[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append((body[start:i], base + start, base + i))
            start = i + 1
    items.append((body[start:], base + start, base + len(body)))
    out = []
    for raw, a, _ in items:
        lead = len(raw) - len(raw.lstrip())
        out.append((raw.strip(), a + lead, a + lead + len(raw.strip())))
    return [it for it in out if it[0]]


def _literal(value: str, text: str, span: tuple[int, int]) -> Any:
    """A dialect-call value: a Python literal, or a bare word taken as a string."""
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        if _BARE.fullmatch(value):
            return value
        raise CLIError(
            f"cannot read the value {value!r}: use a Python literal (0.1, 100, 'name', [30, 60], True, None)",
            text,
            span,
        ) from None


def _dialect_call(text: str, module: str, body: str, base: int) -> Spec:
    """Call ``module:function,arg,key=value,...`` (``body`` starts at ``base`` in ``text``)."""
    mod = _dialect_module(text, module)
    items = _split_items(body, base)
    if not items:
        raise CLIError(f"name a function of dialect {module!r}: {', '.join(public_names(mod))}", text, (0, len(text)))
    func, fname, args = _dialect_function(text, module, mod, items[0])
    more, kwargs, spans = _arguments(text, items[1:])
    args += more
    _check_signature(text, func, fname, args, kwargs, spans)
    head = items[0][1:]
    try:
        result = func(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        named = _named_field(message, kwargs)
        span = spans[named] if named is not None else head
        short = fname.split(".")[-1]
        if message.startswith(f"{module}."):  # the dialect already names its function (module.function: ...)
            prefix = ""
        elif message.startswith(f"{short}:") or message.startswith(f"{short}("):
            prefix = f"{module}."
        else:
            prefix = f"{fname}: "
        raise CLIError(f"{prefix}{message}", text, span) from None
    if not isinstance(result, Spec) or not hasattr(result, "table"):
        raise CLIError(f"{fname} returned {type(result).__name__}, not a schedule", text, head)
    return result


def _dialect_module(text: str, module: str) -> Any:
    """The module ``fastlr.presets.<module>``; a dialect that fails to import is reported."""
    from fastlr.presets import MODULES

    if module not in MODULES:
        raise CLIError(f"unknown dialect {module!r}; dialects: {', '.join(MODULES)}", text, (0, len(module)))
    try:
        return importlib.import_module(f"fastlr.presets.{module}")
    except Exception as exc:  # a dialect that fails to import is reported, not fatal to the CLI
        raise CLIError(
            f"dialect {module!r} is not available: {type(exc).__name__}: {exc}", text, (0, len(module))
        ) from None


def _dialect_function(
    text: str, module: str, mod: Any, head: tuple[str, int, int]
) -> tuple[Callable[..., Any], str, list[Any]]:
    """``(function, its name, leading arguments)`` for the first item of a dialect call.

    A name of the module is that function; otherwise, when the module has ``get_scheduler``,
    the item is that function's first argument (``transformers:cosine,...``).
    """
    name, a, b = head
    names = public_names(mod)
    if name in names:
        return getattr(mod, name), f"{module}.{name}", []
    if hasattr(mod, "get_scheduler") and "=" not in name:
        return mod.get_scheduler, f"{module}.get_scheduler", [_literal(name, text, (a, b))]
    raise CLIError(f"{name!r} is not a name of dialect {module!r}; names: {', '.join(names)}", text, (a, b))


def _arguments(
    text: str, items: list[tuple[str, int, int]]
) -> tuple[list[Any], dict[str, Any], dict[str, tuple[int, int]]]:
    """Positional values, then ``key=value`` items: ``(args, kwargs, span of each key)``."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    spans: dict[str, tuple[int, int]] = {}
    for item, a, b in items:
        key, eq, value = item.partition("=")
        key = key.strip()
        if eq and key.isidentifier():
            if key in kwargs:
                raise CLIError(f"{key!r} is given twice", text, (a, b))
            vstart = a + item.index("=") + 1
            kwargs[key] = _literal(value.strip(), text, (vstart, b))
            spans[key] = (a, b)
        else:
            if kwargs:
                raise CLIError("a positional value follows key=value items", text, (a, b))
            args.append(_literal(item, text, (a, b)))
    return args, kwargs, spans


def _check_signature(
    text: str,
    func: Callable[..., Any],
    fname: str,
    args: list[Any],
    kwargs: dict[str, Any],
    spans: dict[str, tuple[int, int]],
) -> None:
    """Check the arguments against ``func``'s signature before calling it.

    transformers' ``get_scheduler`` takes the named schedule's own keywords in
    ``scheduler_specific_kwargs``: keywords it does not know move there (``kwargs`` and
    ``spans`` are updated in place).
    """
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return
    params = [p.name for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    takes_any = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    if fname.endswith(".get_scheduler") and "scheduler_specific_kwargs" in params:
        extra = {k: kwargs.pop(k) for k in list(kwargs) if k not in params}
        if extra:
            kwargs["scheduler_specific_kwargs"] = {**kwargs.get("scheduler_specific_kwargs", {}), **extra}
            spans.update({"scheduler_specific_kwargs": (0, len(text))})
    for key in kwargs:
        if key not in params and not takes_any:
            raise CLIError(f"{fname} has no parameter {key!r}; parameters: {', '.join(params)}", text, spans[key])
    try:
        sig.bind(*args, **kwargs)
    except TypeError as exc:
        raise CLIError(f"{fname}: {exc}; parameters: {', '.join(params)}", text, (0, len(text))) from None


def public_names(mod: Any) -> list[str]:
    """The callable public names (``__all__``) of a dialect module."""
    return [n for n in getattr(mod, "__all__", []) if callable(getattr(mod, n, None))]
