"""Parameter schemas for rule kinds: what a plan may write under a rule, checked before it is saved.

Pure Python (standard library only). A schema is a tree of `Param` nodes: leaves carry a type
(integer, number, date, text, yes/no, one of a few values) with a Chinese label, a unit and the
plan clause they come from; `Group` nodes hold named parameters; `ListOf` a list of one schema;
`MapOf` a mapping from a fixed set of keys (a rating, a placing) to one schema.

`check(schema, value)` returns every problem as a `Problem(path, message)`, the path naming the
field (``("tiers", 0, "any_of", 1, "all_of", 0, "min")``) and the message in Traditional Chinese.
It never raises on bad input: a plan's parameters come from people and files.

A small schema of our own rather than JSON Schema: each field needs a Chinese label, a unit and
a clause for the form HR edits (`incentives.rule_forms`) and for the error that names the field,
which a JSON Schema validator's English messages and paths do not give.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

INTEGER, NUMBER, DATE, TEXT, BOOLEAN, CHOICE = "integer", "number", "date", "text", "boolean", "choice"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rule's parameters: where (a path of keys and list positions) and what."""

    path: tuple
    message: str


@dataclass(frozen=True)
class Param:
    """A leaf: one value of one type.

    `type` is one of INTEGER, NUMBER (Decimal-compatible), DATE (ISO ``YYYY-MM-DD`` in the
    stored JSON; the form takes ROC dates), TEXT, BOOLEAN, CHOICE (one of `choices`, a mapping
    from stored value to Chinese label). `minimum` bounds numbers (inclusive).
    """

    label: str
    type: str = TEXT
    unit: str = ""
    required: bool = False
    choices: dict = field(default_factory=dict)
    minimum: Decimal | int | None = None
    help: str = ""


@dataclass(frozen=True)
class Group:
    """Named parameters (a JSON object). Keys not declared are refused, so a typo never passes."""

    label: str
    fields: dict  # key -> Param | Group | ListOf | MapOf
    required: bool = False
    help: str = ""
    # Each inner list names keys of which at least one must be present ("min" or "above").
    one_of: tuple = ()


@dataclass(frozen=True)
class ListOf:
    """A list whose items all follow `item`."""

    label: str
    item: object
    required: bool = False
    help: str = ""
    min_items: int = 0


@dataclass(frozen=True)
class MapOf:
    """An object whose keys come from `keys` (stored key -> Chinese label), each value following `item`."""

    label: str
    keys: dict
    item: object
    required: bool = False
    help: str = ""


def describe(path: tuple, schema) -> str:
    """The path as a person reads it: 「級距 第 2 項 › 條件 第 1 項 › 門檻（以上）」."""
    parts, node = [], schema
    for step in path:
        if isinstance(node, Group):
            node = node.fields.get(step)
            parts.append(str(getattr(node, "label", step)) if node is not None else f"「{step}」")
        elif isinstance(node, ListOf):
            node = node.item
            parts.append(
                (f"第 {step + 1} 項" if isinstance(step, int) else str(step))
                + (f"（{node.label}）" if isinstance(node, Param) else "")
            )
        elif isinstance(node, MapOf):
            parts.append(str(node.keys.get(step, step)))
            node = node.item
            if isinstance(node, Param):
                parts[-1] += f"（{node.label}）"
        else:
            parts.append(str(step))
    return " › ".join(parts)


def _type_problem(param: Param, value) -> str | None:
    if param.type == INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            return "應為整數"
        if param.minimum is not None and value < param.minimum:
            return f"不得小於 {param.minimum}"
        return None
    if param.type == NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
            return "應為數字"
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return "應為數字"
        if not number.is_finite():
            return "應為數字"
        if param.minimum is not None and number < Decimal(str(param.minimum)):
            return f"不得小於 {param.minimum}"
        return None
    if param.type == DATE:
        if isinstance(value, dt.date):
            return None
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return "應為日期（如 103/08/31）"
        return None
    if param.type == BOOLEAN:
        return None if isinstance(value, bool) else "應為是或否"
    if param.type == CHOICE:
        if value not in param.choices:
            return "應為下列之一：" + "、".join(str(label) for label in param.choices.values())
        return None
    return None if isinstance(value, str) else "應為文字"


def check(schema, value, path: tuple = ()) -> list[Problem]:
    """Every problem of `value` against `schema`, in document order; an empty list when it fits."""
    if isinstance(schema, Param):
        message = _type_problem(schema, value)
        return [Problem(path, message)] if message else []
    if isinstance(schema, Group):
        if not isinstance(value, dict):
            return [Problem(path, "應為一組參數")]
        problems = []
        for key in value:
            if key not in schema.fields:
                problems.append(Problem(path + (key,), f"不認得的參數「{key}」"))
        for key, child in schema.fields.items():
            if key not in value or value[key] is None:
                if getattr(child, "required", False):
                    problems.append(Problem(path + (key,), "必須填寫"))
                continue
            problems += check(child, value[key], path + (key,))
        for keys in schema.one_of:
            if not any(key in value for key in keys):
                labels = "或".join(str(schema.fields[key].label) for key in keys)
                problems.append(Problem(path + (keys[0],), f"須填寫{labels}"))
        return problems
    if isinstance(schema, ListOf):
        if not isinstance(value, list):
            return [Problem(path, "應為清單")]
        if len(value) < schema.min_items:
            return [Problem(path, f"至少須有 {schema.min_items} 項")]
        problems = []
        for index, item in enumerate(value):
            problems += check(schema.item, item, path + (index,))
        return problems
    if isinstance(schema, MapOf):
        if not isinstance(value, dict):
            return [Problem(path, "應為一組參數")]
        problems = []
        for key, item in value.items():
            if key not in schema.keys:
                problems.append(
                    Problem(
                        path + (key,), f"不認得的項目「{key}」，應為" + "、".join(str(v) for v in schema.keys.values())
                    )
                )
                continue
            problems += check(schema.item, item, path + (key,))
        return problems
    raise TypeError(f"not a schema node: {schema!r}")
