"""Decoding export bodies: gzip however it arrives, JSON arrays, NDJSON, CSV, ZIPs; damage is reported."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Iterator

import pytest

from headwater.connectors.amplitude.deletions import parse_result
from headwater.connectors.amplitude.unpack import archive_rows, spool
from headwater.connectors.fullstory import decode
from headwater.errors import ProviderError

ROWS = [{"IndvId": 2**60 + 1, "EventType": "click", "Price": 6.75}, {"IndvId": 7, "EventType": "navigate"}]


def chunks(data: bytes, size: int = 7) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_gzip_json_array_in_small_chunks_keeps_big_ids_exact() -> None:
    body = gzip.compress(json.dumps(ROWS).encode())
    assert list(decode.rows(chunks(body))) == ROWS


def test_plain_and_multi_member_bodies() -> None:
    assert list(decode.rows(chunks(json.dumps(ROWS).encode()))) == ROWS
    ndjson = "\n".join(json.dumps(r) for r in ROWS).encode()
    two_members = gzip.compress(ndjson[:10]) + gzip.compress(ndjson[10:])
    assert list(decode.rows(chunks(two_members), "ndjson")) == ROWS
    assert list(decode.rows(chunks(b"a,b\n1,2\n3,4"), "csv")) == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]
    assert list(decode.rows(iter([]))) == []


def test_a_cut_download_is_an_error_not_fewer_rows() -> None:
    body = gzip.compress(json.dumps(ROWS * 50).encode())
    with pytest.raises(ProviderError, match="download again"):
        list(decode.rows(chunks(body[: len(body) // 2])))
    with pytest.raises(ProviderError, match="incomplete"):
        list(decode.rows(chunks(json.dumps(ROWS).encode()[:-5])))


def test_amplitude_zip_entries_are_read_in_hour_and_part_order() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, hour in (
            ("187_2026-01-01_10#0.json.gz", 10),
            ("187_2026-01-01_9#1.json.gz", 91),
            ("187_2026-01-01_9#0.json.gz", 90),
        ):
            archive.writestr(f"187/{name}", gzip.compress(json.dumps({"hour": hour}).encode() + b"\n"))
    rows = list(archive_rows(spool(chunks(buffer.getvalue(), 100)), "export"))
    assert [r["hour"] for r in rows] == [90, 91, 10]
    bare = gzip.compress(b'{"a": 1}\n\n{"a": 2}\n')
    assert list(archive_rows(spool([bare]), "file")) == [{"a": 1}, {"a": 2}]
    with pytest.raises(ProviderError, match="could not be read"):
        list(archive_rows(spool([buffer.getvalue()[:-30]]), "export"))


def test_every_shape_of_deletion_answer() -> None:
    job = {"day": "2026-12-07", "status": "staging", "amplitude_ids": [{"amplitude_id": 5}]}
    assert [j.day for j in parse_result([job]).jobs] == ["2026-12-07"]
    assert parse_result(job).jobs[0].amplitude_ids[0].amplitude_id == 5  # the older single object
    nothing = parse_result({" message": "Nothing scheduled due to invalid amplitude/user ids for app 1"})
    assert nothing.jobs == [] and nothing.nothing_scheduled is not None
