"""Posterize: an `airlock:design/filter` plugin in Python.

Reduces each colour channel to `levels` evenly spaced values (alpha is
kept), a band of rows at a time: progress is reported after each band, and
the host's cancellation is honoured between bands.
"""

import logging
from typing import List

import airlock_guest
import wit_world
from componentize_py_types import Err
from wit_world.imports.types import Image, Param, ParamValue_Integer

airlock_guest.install_logging()
log = logging.getLogger("posterize")

DEFAULT_LEVELS = 4
#: Rows per band: one progress report and one cancellation check each.
BAND_ROWS = 25


class WitWorld(wit_world.WitWorld):
    def describe(self) -> wit_world.FilterInfo:
        return wit_world.FilterInfo(
            name="posterize",
            description="Reduces each colour channel to a few levels",
            defaults=[Param("levels", ParamValue_Integer(DEFAULT_LEVELS))],
        )

    def apply(self, image: Image, params: List[Param]) -> Image:
        levels = DEFAULT_LEVELS
        for param in params:
            if param.name != "levels":
                raise Err(wit_world.FilterError_InvalidParam(f"unknown parameter `{param.name}`"))
            if not isinstance(param.value, ParamValue_Integer) or not 2 <= param.value.value <= 256:
                raise Err(wit_world.FilterError_InvalidParam("`levels` must be an integer in 2..=256"))
            levels = param.value.value
        stride = image.width * 4
        if len(image.pixels) != stride * image.height:
            raise Err(
                wit_world.FilterError_UnsupportedImage(
                    f"{len(image.pixels)} bytes for a {image.width}×{image.height} RGBA image"
                )
            )
        # One lookup table for all three colour channels: bytes.translate does the work.
        step = 255 / (levels - 1)
        table = bytes(round(round(v / step) * step) for v in range(256))
        out = bytearray(image.pixels)
        bands = max(1, -(-image.height // BAND_ROWS))
        for band in range(bands):
            if airlock_guest.is_cancelled():
                log.info("cancelled after %d of %d bands", band, bands)
                raise Err(wit_world.FilterError_Failed("cancelled"))
            start = band * BAND_ROWS * stride
            end = min(len(out), start + BAND_ROWS * stride)
            alpha = out[start + 3 : end : 4]
            out[start:end] = out[start:end].translate(table)
            out[start + 3 : end : 4] = alpha
            airlock_guest.progress((band + 1) / bands, f"band {band + 1} of {bands}")
        log.debug("posterized %d×%d to %d levels", image.width, image.height, levels)
        return Image(image.width, image.height, bytes(out))
