"""Every Python block on every page runs on its own and prints what the page shows."""

from __future__ import annotations

import pytest

import docblocks

BLOCKS, ERRORS = docblocks.collect_all()


def test_pages_follow_the_block_rules():
    assert not ERRORS, "\n".join(ERRORS)


def test_pages_have_blocks():
    assert BLOCKS, "no ```python block found under docs/"


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_block(block: docblocks.Block):
    if block.skip_reason:
        pytest.skip(f"{block.name}: {block.skip_reason}")
    failure = None
    try:
        docblocks.check(block)
    except docblocks.PageError as err:
        failure = str(err)
    if failure:
        pytest.fail(failure, pytrace=False)
