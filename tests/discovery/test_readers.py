"""Reading exported files: formats from the bytes, gzip or plain, ZIP parts, clear errors."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest

from headwater.discovery.readers import read_files
from headwater.errors import BadInput, NotFound

ROWS = [{"EventType": "click", "n": n} for n in range(5)]


def test_json_array_plain_gzipped_and_split_across_buffers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("headwater.discovery.readers.CHUNK", 7)  # every row crosses a buffer boundary
    plain = tmp_path / "bundle.json"
    plain.write_text("  [\n" + ",\n".join(json.dumps(row) for row in ROWS) + "\n]\n")
    packed = tmp_path / "bundle.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert list(read_files([plain])) == ROWS
    assert list(read_files([packed])) == ROWS


def test_ndjson_and_an_amplitude_zip_of_gzipped_parts(tmp_path: Path) -> None:
    lines = "".join(json.dumps(row) + "\n\n" for row in ROWS).encode()
    archive = tmp_path / "export.json.gz"  # Amplitude downloads are ZIPs whatever they are called
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("123/123_2024-01-01_0#0.json.gz", gzip.compress(lines))
        zipped.writestr("123/123_2024-01-01_1#0.json.gz", gzip.compress(lines))
    assert list(read_files([archive])) == ROWS + ROWS


def test_errors_name_the_file_and_never_the_content(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.json.gz"
    truncated.write_bytes(gzip.compress(json.dumps(ROWS).encode())[:-12])
    with pytest.raises(BadInput, match="truncated"):
        list(read_files([truncated]))
    broken = tmp_path / "broken.ndjson"
    broken.write_text('{"email": "secret@example.com"}\n{"email": "secret@exa\n')
    with pytest.raises(BadInput) as raised:
        list(read_files([broken]))
    assert "line 2" in str(raised.value) and "secret" not in str(raised.value)
    with pytest.raises(NotFound):
        list(read_files([tmp_path / "missing.json"]))
    (tmp_path / "table.csv").write_text("a,b\n1,2\n")
    with pytest.raises(BadInput, match="neither"):
        list(read_files([tmp_path / "table.csv"]))
