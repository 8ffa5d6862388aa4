"""Block sizes that implementations use, and what "just past a block size" means.

Code that works in blocks of 4, 8 or 16 (batch chunks, column tiles, channel blocks) goes wrong
on the remainder; the realistic tiers of every kind move sizes just past such blocks.
"""

from __future__ import annotations

# Block sizes that implementations use for batch chunks, tiles and channel blocks.
BLOCK_SIZES: tuple[int, ...] = (4, 8, 16)
# The axes on which a block size must be crossed.
BLOCKED_AXES: tuple[str, ...] = ("batch", "in_h", "in_w", "in_ch", "out_ch")


def just_past(value: int, block: int) -> bool:
    """True when `value` holds at least one full block and a short remainder block.

    value > block and 1 <= value % block <= max(1, block // 4): the last block is at most a
    quarter full (5 for 4; 9, 10 for 8; 17 to 20 and 33 to 36 for 16), which is where loops over
    blocks go wrong: a dropped, doubled or misaligned remainder.
    """
    remainder = value % block
    return value > block and 1 <= remainder <= max(1, block // 4)
