"""Grayscale filter (airlock:design/filter) in Python: Rec. 709 luma, with `amount`
blending between the original (0) and gray (1). The bench's Python guest."""

import wit_world
from componentize_py_types import Err
from wit_world import FilterError_InvalidParam, FilterError_UnsupportedImage, FilterInfo
from wit_world.imports.types import Image, Param, ParamValue_Number

# Rec. 709 luma in 16-bit fixed point, with the rounding folded into the blue
# table: one lookup per channel and one shift per pixel.
RED = [13933 * v for v in range(256)]
GREEN = [46871 * v for v in range(256)]
BLUE = [4732 * v + 32768 for v in range(256)]


class WitWorld(wit_world.WitWorld):
    def describe(self) -> FilterInfo:
        return FilterInfo(
            name="Grayscale (Python)",
            description="Rec. 709 luma; `amount` blends between the original (0) and gray (1)",
            defaults=[Param(name="amount", value=ParamValue_Number(1.0))],
        )

    def apply(self, image: Image, params: list[Param]) -> Image:
        amount = 1.0
        for p in params:
            if p.name == "amount" and isinstance(p.value, ParamValue_Number) and 0.0 <= p.value.value <= 1.0:
                amount = p.value.value
            else:
                raise Err(FilterError_InvalidParam(f"`{p.name}` must be a number in 0..=1"))
        px = image.pixels
        if len(px) != image.width * image.height * 4:
            raise Err(FilterError_UnsupportedImage("pixel buffer does not match width × height × 4"))
        red, green, blue = px[0::4], px[1::4], px[2::4]
        gray = bytes([(RED[r] + GREEN[g] + BLUE[b]) >> 16 for r, g, b in zip(red, green, blue)])
        out = bytearray(px)
        if amount == 1.0:
            out[0::4] = out[1::4] = out[2::4] = gray
        else:
            for channel, values in enumerate((red, green, blue)):
                out[channel::4] = bytes(
                    [round(c + (l - c) * amount) for c, l in zip(values, gray)]
                )
        return Image(width=image.width, height=image.height, pixels=bytes(out))
