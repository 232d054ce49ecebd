"""Draws the GS1 DataMatrix test image used by the donation form's browser test.

    .venv/bin/python tests/data/barcodes/make_gs1_datamatrix.py

ppf.datamatrix (a dev dependency) encodes plain DataMatrix; a GS1 DataMatrix is the same
symbol with an FNC1 codeword (232) first and between variable-length fields, which this
script adds to ppf's ASCII encoding.
"""

from pathlib import Path

from PIL import Image
from ppf.datamatrix.codec_ascii import encode_to_ascii
from ppf.datamatrix.datamatrix import DataMatrix

FNC1 = 232
# (01) GTIN 05012345678900, (10) lot ABC123, (15) best before 2030-06-30,
# (3103) net weight 0.250 kg; the lot is variable-length, so FNC1 ends it.
ELEMENTS = ["010501234567890010ABC123", "153006303103000250"]
MODULE_PX = 8
QUIET_MODULES = 4


class _GS1Message(str):
    """The message as ppf's matrix() asks for it: FNC1 first and as the separator."""

    def encode(self, codec: str = "datamatrix.ascii", errors: str = "strict") -> bytes:
        codewords = []
        for part in self.split("\x1d"):
            codewords += [FNC1, *encode_to_ascii(part)[0]]
        return bytes(codewords)


def draw(elements: list[str], path: Path) -> None:
    symbol = DataMatrix("", codecs=["ascii"])
    symbol.message = _GS1Message("\x1d".join(elements))
    rows = symbol.matrix
    size = (len(rows) + 2 * QUIET_MODULES) * MODULE_PX
    image = Image.new("L", (size, size), 255)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                left, top = (x + QUIET_MODULES) * MODULE_PX, (y + QUIET_MODULES) * MODULE_PX
                image.paste(0, (left, top, left + MODULE_PX, top + MODULE_PX))
    image.save(path, optimize=True)


if __name__ == "__main__":
    draw(ELEMENTS, Path(__file__).with_name("gs1-datamatrix.png"))
