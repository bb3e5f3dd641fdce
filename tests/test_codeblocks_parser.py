"""pytest-codeblocks' parser, as tests/docblocks.py reads it.

docblocks.collect finds the blocks of a page and their markers with
`pytest_codeblocks.extract_from_buffer`, a function the plugin does not
document. pyproject.toml pins pytest-codeblocks to the version checked here;
before moving the pin, run this test against the new version: it fails, naming
the upgrade, if the function is gone or reads the course's markers otherwise.
"""

from __future__ import annotations

import io
from importlib.metadata import version

import pytest

UPGRADE = (f"pytest-codeblocks {version('pytest-codeblocks')} changed extract_from_buffer, an undocumented "
           "function tests/docblocks.py (collect) reads every page with: check docblocks.py against this "
           "version, then move the pin in pyproject.toml (0.18.0, the version this test was written for)")

# A page with every marker docblocks reads: a shown output (with its title), a skip with a
# reason, a mark without one and importorskip (both refused by docblocks), cont (refused too,
# after the parse), and an exercise's indented solution with its output.
PAGE = '''# A page

```python title="First"
x = 1

print(x)
```

<!--pytest-codeblocks:expected-output-->

```text title="Output"
1
```

<!-- pytest.mark.skip(reason="needs a GPU") -->
```python
import torch
```

<!-- pytest.mark.skip -->
```python
y = 2
```

<!--pytest-codeblocks:importorskip(scipy)-->
```python
import scipy
```

<!--pytest-codeblocks:cont-->

```python
print(y)
```

??? success "Solution"

    ```python
    z = 3

    print(z)
    ```

    <!--pytest-codeblocks:expected-output-->

    ```text title="Output"
    3
    ```
'''

# What docblocks reads of each block: the line of its opening fence (1-based, its key), the code
# (without the fence's indentation; an indented block loses its blank lines), its marks (which
# docblocks strips), importorskip, and the code of the output block after its marker (which is
# no block of its own).
PARSED = [
    (3, "x = 1\n\nprint(x)\n", [], None, "1\n"),
    (16, "import torch\n", ['pytest.mark.skip(reason="needs a GPU")'], None, None),
    (21, "y = 2\n", ["pytest.mark.skip"], None, None),
    (26, "import scipy\nprint(y)\n", [], "scipy", None),  # cont: the block after joins it
    (38, "z = 3\nprint(z)\n", [], None, "3\n"),
]


def test_extract_from_buffer_reads_the_course_markers_as_docblocks_expects():
    try:
        from pytest_codeblocks import extract_from_buffer
    except ImportError as err:
        pytest.fail(f"{UPGRADE}: {err}", pytrace=False)
    try:
        blocks = extract_from_buffer(io.StringIO(PAGE))
        parsed = [(b.lineno, b.code, [mark.strip() for mark in b.marks], b.importorskip, b.expected_output)
                  for b in blocks]
    except Exception as err:  # noqa: BLE001 - any failure to parse means the same: check docblocks
        pytest.fail(f"{UPGRADE}: {type(err).__name__}: {err}", pytrace=False)
    assert parsed == PARSED, UPGRADE
