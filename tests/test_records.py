"""dldoctor.records behaves as the dataclasses it replaced, for what the records use."""
from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional

import pytest

from dldoctor.records import FrozenInstanceError, field, frozen_record, record, replace


@frozen_record
class Point:
    x: int
    y: int = 0
    tags: Dict[str, str] = field(default_factory=dict)

    @property
    def norm(self) -> int:
        return abs(self.x) + abs(self.y)


@dataclasses.dataclass(frozen=True)
class DPoint:
    x: int
    y: int = 0
    tags: Dict[str, str] = dataclasses.field(default_factory=dict)


@record
class Bag:
    items: List[int] = field(default_factory=list)
    name: Optional[str] = None


@dataclasses.dataclass
class DBag:
    items: List[int] = dataclasses.field(default_factory=list)
    name: Optional[str] = None


def test_init_repr_eq_hash_as_a_frozen_dataclass():
    for a, b in ((Point(1), DPoint(1)), (Point(1, y=2), DPoint(1, y=2)),
                 (Point(x=3, y=4, tags={"k": "v"}), DPoint(x=3, y=4, tags={"k": "v"}))):
        assert repr(a).replace("Point", "DPoint", 1) == repr(b)
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert Point(1) != DPoint(1) and Point(1) != (1, 0, {})
    assert hash(Point(1, 2, ())) == hash(Point(1, 2, ())) == hash((1, 2, ()))  # type: ignore[arg-type]
    assert {Point(1, 2, ()), Point(1, 2, ())} == {Point(1, 2, ())}  # type: ignore[arg-type]
    assert Point(1).tags is not Point(1).tags
    assert Point(-3, 4).norm == 7
    assert "tags" not in Point.__dict__ and Point.y == 0


def test_frozen_refuses_assignment_as_an_attribute_error():
    p = Point(1)
    with pytest.raises(FrozenInstanceError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.y  # type: ignore[misc]
    assert p.x == 1


def test_a_mutable_record_is_unhashable_and_assignable():
    b = Bag()
    b.items.append(1)
    b.name = "n"
    assert b == Bag([1], "n") and b != Bag()
    assert repr(b) == "Bag(items=[1], name='n')" == repr(DBag([1], "n")).replace("DBag", "Bag")
    with pytest.raises(TypeError):
        hash(b)
    assert Bag().items is not Bag().items


def test_wrong_arguments_are_type_errors():
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, 2, {}, 4)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, x=1)  # type: ignore[misc]
    with pytest.raises(TypeError):
        Point(1, z=1)  # type: ignore[call-arg]


def test_replace_copies_with_changes():
    p = Point(1, 2, {"a": "b"})
    q = replace(p, y=5)
    assert q == Point(1, 5, {"a": "b"}) and p == Point(1, 2, {"a": "b"}) and q.tags is p.tags
    with pytest.raises(TypeError):
        replace(p, z=1)


def test_a_method_the_class_defines_is_kept():
    @frozen_record
    class Named:
        name: str

        def __repr__(self) -> str:
            return "<%s>" % self.name

        def __bool__(self) -> bool:
            return False

    assert repr(Named("a")) == "<a>" and not Named("a") and hash(Named("a")) == hash(("a",))


@frozen_record
class Point3(Point):
    z: int = 5


@dataclasses.dataclass(frozen=True)
class DPoint3(DPoint):
    z: int = 5


def test_a_subclass_keeps_its_base_records_fields_first_as_a_dataclass():
    assert repr(Point3(1, 2, z=3)).replace("Point3", "DPoint3", 1) == repr(DPoint3(1, 2, z=3))
    assert repr(Point3(1)).replace("Point3", "DPoint3", 1) == repr(DPoint3(1))
    assert Point3(1).tags is not Point3(1).tags
    assert replace(Point3(1), z=9) == Point3(1, 0, {}, 9)
