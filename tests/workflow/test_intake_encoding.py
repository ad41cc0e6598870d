"""The rule that decides a CSV file's encoding, against files of random lines: UTF-8 when all of
it is, GB18030 when all of it is and no line is also non-ASCII UTF-8, refused otherwise; read
in pieces that split lines and characters anywhere."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accel666.errors import InvalidInput
from accel666.workflow.intake import encoding

TEXT = st.text(alphabet="云上工厂苏州市某科技有限公司 abc,1é€", max_size=12)
LINES = st.lists(st.tuples(TEXT, st.sampled_from(["utf-8", "gb18030"]),
                           st.sampled_from(["\r\n", "\n", "\r"])), min_size=1, max_size=8)


def expected(data: list[bytes]) -> str | None:
    """The rule, line by line; None for a file it refuses."""
    def utf8(line: bytes) -> bool:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    non_ascii = [line for line in data if not line.isascii()]
    if all(utf8(line) for line in non_ascii):
        return encoding.UTF8
    if any(utf8(line) for line in non_ascii):
        return None
    return encoding.GB18030


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(lines=LINES, chunk=st.sampled_from([1, 2, 3, 7, 1 << 20]))
def test_the_encoding_of_a_file_is_decided_for_the_whole_file(lines, chunk, monkeypatch_chunk):
    monkeypatch_chunk(chunk)
    encoded = [text.encode(name) for text, name, _ in lines]
    data = b"".join(line + end.encode() for line, (_, _, end) in zip(encoded, lines, strict=True))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        path.write_bytes(data)
        want = expected(encoded)
        encoded = data.splitlines()  # CR then LF is one line end, as csv reads it
        if want is None:
            with pytest.raises(InvalidInput) as caught:
                encoding.decide(path, 1 << 20)
            assert "a file must be in one encoding" in caught.value.reason
        else:
            assert encoding.decide(path, 1 << 20) == want
            assert [line for _, line in encoding.lines(path, 1 << 20)] == encoded


@pytest.fixture
def monkeypatch_chunk(monkeypatch):
    def use(size: int) -> None:
        monkeypatch.setattr(encoding, "CHUNK", size)
    return use


def test_a_line_longer_than_a_row_may_be_is_refused(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(b"title\r\n" + "云".encode("gb18030") * 600 + b"\r\n")
    with pytest.raises(InvalidInput) as caught:
        encoding.decide(path, 1_000)
    assert caught.value.reason == "line 2 has more than 1,000 bytes: no row of a sheet is so long"
