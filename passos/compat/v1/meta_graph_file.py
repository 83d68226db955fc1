"""The .meta file: a zip holding 'meta_graph.json' (the graph as data) and one .npy per array.

Written atomically; read without pickle, within bounds: the JSON up to a size the file can
honestly hold, parsed as data, and the arrays through passos.io's SafeNpz (numbers only, each
header checked before its data is inflated). Every problem is a MetaGraphError naming the file.
"""
import io
import json
import math
import os
import zipfile

import numpy as np

from ...io import DAMAGED_FILE_ERRORS, SafeNpz, atomic_write, read_up_to

FORMAT = "passos.meta_graph"
FORMAT_VERSION = 1
DOCUMENT = "meta_graph.json"
MAX_EXPANSION = 8             # the entries may hold this many times the file's bytes ...
EXPANSION_ALLOWANCE = 1 << 20  # ... plus this (small files of zeros compress well)
MAX_DEPTH = 200               # levels of lists and dicts in the JSON


class MetaGraphError(ValueError):
    """A meta graph file passos cannot import: damaged, altered, too new, or holding code."""


def error(path, problem):
    return MetaGraphError(f"import_meta_graph: cannot import '{path}': {problem}")


def write(path, document, arrays):
    """Write `document` (JSON-able) and `arrays` (entry k is 'k.npy') to `path`, atomically."""
    text = json.dumps(document, allow_nan=False, separators=(",", ":")).encode("utf-8")

    def content(file):
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(DOCUMENT, text)
            for k, array in enumerate(arrays):
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
                archive.writestr(f"{k}.npy", buffer.getvalue())
    atomic_write(path, content)


def read(path):
    """(document, [arrays]) of the meta graph file at `path`, every bound checked."""
    if not os.path.exists(path):
        raise OSError(f"import_meta_graph: no file {path}")
    limit = MAX_EXPANSION * os.path.getsize(path) + EXPANSION_ALLOWANCE
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(DOCUMENT)
            if info.file_size > limit:
                raise error(path, f"'{DOCUMENT}' claims {info.file_size} bytes, more than the "
                                  f"{limit} such a file can hold (a zip bomb?)")
            with archive.open(info) as member:
                raw = bytes(read_up_to(member, info.file_size + 1))
    except KeyError:
        raise error(path, f"it holds no '{DOCUMENT}'; it is not a passos meta graph") from None
    except DAMAGED_FILE_ERRORS as problem:
        raise error(path, f"it is not a readable zip file ({type(problem).__name__}: "
                          f"{problem}); save the model again") from None
    document = _decode(raw, path)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise error(path, f"'{DOCUMENT}' does not describe a passos meta graph")
    version = document.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise error(path, f"format version {version!r:.20} is not one this passos reads "
                          f"(1 to {FORMAT_VERSION}); upgrade passos")
    return document, _arrays(path, document, limit - len(raw))


def _decode(raw, path):
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_refuse)
    except RecursionError:
        raise error(path, f"'{DOCUMENT}' nests too deeply") from None
    except (UnicodeDecodeError, ValueError) as problem:
        raise error(path, f"'{DOCUMENT}' is not valid JSON ({problem})") from None
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise error(path, f"'{DOCUMENT}' nests lists and dicts more than {MAX_DEPTH} "
                                  "levels deep")
            pending.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict)
                                                    else value))
        elif isinstance(value, float) and not math.isfinite(value):
            raise error(path, f"'{DOCUMENT}' holds the number {value}")
    return document


def _refuse(word):
    raise ValueError(f"{word} is not a number a meta graph holds")


def _arrays(path, document, budget):
    count = document.get("arrays")
    if not isinstance(count, int) or count < 0:
        raise error(path, f"'arrays' should count the arrays, got {count!r:.40}")
    with SafeNpz(path, "import_meta_graph") as npz:
        names = [str(k) for k in range(count)]
        missing = sorted(set(names) - set(npz.names))
        if missing:
            raise error(path, f"the arrays {missing[:5]} are missing; the file is damaged")
        headers = [npz.header(name) for name in names]
        total = sum(h.nbytes for h in headers)
        if total > budget:
            raise error(path, f"its arrays claim {total} bytes, more than the {budget} such a "
                              "file can hold (a zip bomb?)")
        return [npz.read(name, header) for name, header in zip(names, headers)]
