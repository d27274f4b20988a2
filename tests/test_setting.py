"""How a setting is declared: its default, help and commands on the field; lists as words;
one section read from this process's environment."""

import pytest
from pydantic import ValidationError

from seefood.setting import MaybeWords, Section, Words, from_environment, setting


class Example(Section):
    size: int = setting(3, "how many", flag=("serve",), shown="three", ge=1)
    names: Words = setting(description="some names", factory=list)
    hosts: MaybeWords = setting(None, "some hosts")


def test_the_field_carries_its_help_its_default_as_said_and_its_commands() -> None:
    field = Example.model_fields["size"]
    assert field.description == "how many" and field.default == 3
    assert field.json_schema_extra == {"shown": "three", "commands": ["serve"]}
    with pytest.raises(ValidationError):
        Example(size=0)


def test_lists_are_json_or_words_and_none_stays_unset() -> None:
    assert Example.model_validate({"names": "a, b  c"}).names == ["a", "b", "c"]
    assert Example.model_validate({"names": '["a b"]'}).names == ["a b"]
    assert Example.model_validate({"names": ""}).names == []
    assert Example().hosts is None and Example().names == []


def test_a_section_from_the_environment_knows_what_was_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SEEFOOD_SIZE", "5")
    monkeypatch.setenv("SEEFOOD_NAMES", "x,y")
    read = from_environment(Example)
    assert isinstance(read, Example) and (read.size, read.names) == (5, ["x", "y"])
    assert read.model_fields_set == {"size", "names"}, "hosts was not set: the default"
