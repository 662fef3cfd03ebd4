"""Records: what dldoctor's records took from `dataclasses`, without its start-up cost.

`@record` and `@frozen_record` give a class with annotated fields what `@dataclass` and
`@dataclass(frozen=True)` gave it here: an `__init__` taking the fields in order (positional or
by name, defaults and `field(default_factory=...)` for the rest), a `__repr__`
(`Name(a=1, b='x')`), an `__eq__` over the fields of the same class; frozen records refuse
assignment (`FrozenInstanceError`, an AttributeError) and hash by their fields, mutable ones are
unhashable. A method the class defines itself is kept. `replace(obj, **changes)` is
`dataclasses.replace`.

Why not `dataclasses`: importing it imports `inspect` (and with it ast, dis, tokenize), and each
class it builds compiles its methods, together ~30 ms of every `dldoctor check` (issue 11). Here
the methods are shared and read the class's field list, so defining a record costs little more
than defining a class. Type checkers see `dataclass_transform` and check records like dataclasses.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:   # typing stays off the run's import path
    from typing import Any, Callable, Dict, List, Tuple, TypeVar

    from typing_extensions import dataclass_transform  # typing has it from 3.11

    _C = TypeVar("_C", bound=type)
    _T = TypeVar("_T")
    _R = TypeVar("_R")
else:
    def dataclass_transform(**_kwargs):   # the marker means something to type checkers only
        return lambda fn: fn

_SPEC = "__record_fields__"   # (names, {name: default}, {name: factory}) of a record class


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record (dataclasses.FrozenInstanceError's role)."""


class _Factory:
    __slots__ = ("factory",)

    def __init__(self, factory: Callable[[], Any]) -> None:
        self.factory = factory


def field(*, default_factory: Callable[[], _T]) -> _T:
    """A field whose default is made anew for each record (`field(default_factory=list)`)."""
    return _Factory(default_factory)  # type: ignore[return-value]  # a marker, read by _build


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    names, defaults, factories = getattr(type(self), _SPEC)
    name = type(self).__name__
    if len(args) > len(names):
        raise TypeError("%s.__init__() takes %d positional arguments but %d were given"
                        % (name, len(names) + 1, len(args) + 1))
    values = dict(zip(names, args))
    for key, value in kwargs.items():
        if key in values:
            raise TypeError("%s.__init__() got multiple values for argument %r" % (name, key))
        if key not in names:
            raise TypeError("%s.__init__() got an unexpected keyword argument %r" % (name, key))
        values[key] = value
    if len(values) < len(names):
        for key in names:
            if key in values:
                continue
            if key in defaults:
                values[key] = defaults[key]
            elif key in factories:
                values[key] = factories[key]()
            else:
                raise TypeError("%s.__init__() missing required argument: %r" % (name, key))
    state = self.__dict__
    for key in names:   # in field order, as a dataclass's __init__ assigns them
        state[key] = values[key]


def _repr(self: Any) -> str:
    names = getattr(type(self), _SPEC)[0]
    return "%s(%s)" % (type(self).__qualname__,
                       ", ".join("%s=%r" % (n, getattr(self, n)) for n in names))


def _astuple(self: Any) -> Tuple[Any, ...]:
    return tuple(getattr(self, n) for n in getattr(type(self), _SPEC)[0])


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        return _astuple(self) == _astuple(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(_astuple(self))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError("cannot assign to field %r" % name)


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError("cannot delete field %r" % name)


def _build(cls: Any, frozen: bool) -> Any:
    own = cls.__dict__
    names: List[str] = []
    defaults: Dict[str, Any] = {}
    factories: Dict[str, Callable[[], Any]] = {}
    for base in reversed(cls.__mro__[1:]):   # a base record's fields come first, as in dataclasses
        spec = base.__dict__.get(_SPEC)
        if spec:
            names.extend(n for n in spec[0] if n not in names)
            defaults.update(spec[1])
            factories.update(spec[2])
    for name, note in own.get("__annotations__", {}).items():
        if isinstance(note, str) and note.startswith(("ClassVar", "typing.ClassVar")):
            continue
        if name not in names:
            names.append(name)
        defaults.pop(name, None)
        factories.pop(name, None)
        if name in own:
            value = own[name]
            if isinstance(value, _Factory):
                factories[name] = value.factory
                delattr(cls, name)
            else:
                defaults[name] = value
    setattr(cls, _SPEC, (tuple(names), defaults, factories))
    methods: Dict[str, Any] = {"__init__": _init, "__repr__": _repr, "__eq__": _eq}
    if frozen:
        methods.update(__setattr__=_frozen_setattr, __delattr__=_frozen_delattr)
    for name, method in methods.items():
        if name not in own:
            setattr(cls, name, method)
    # As dataclasses decide it: a hash the class wrote stays; else frozen records hash by their
    # fields and mutable ones (equal by value) are unhashable.
    if own.get("__hash__") is None:
        cls.__hash__ = _hash if frozen else None
    return cls


@dataclass_transform(field_specifiers=(field,))
def record(cls: _C) -> _C:
    """A mutable record (`@dataclasses.dataclass`)."""
    return _build(cls, frozen=False)  # type: ignore[no-any-return]


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen_record(cls: _C) -> _C:
    """A frozen record (`@dataclasses.dataclass(frozen=True)`)."""
    return _build(cls, frozen=True)  # type: ignore[no-any-return]


def replace(obj: _R, **changes: Any) -> _R:
    """A copy of the record `obj` with `changes` (`dataclasses.replace`)."""
    names = getattr(type(obj), _SPEC)[0]
    for key in changes:
        if key not in names:
            raise TypeError("%s has no field %r" % (type(obj).__name__, key))
    values = {n: getattr(obj, n) for n in names}
    values.update(changes)
    return type(obj)(**values)
