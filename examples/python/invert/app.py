"""A filter for airlock:design/filter: inverts colours, keeps alpha."""

import wit_world
from componentize_py_types import Err
from wit_world import FilterError_InvalidParam, FilterInfo
from wit_world.imports.types import Image, Param

INVERT = bytes(range(255, -1, -1))


class WitWorld(wit_world.WitWorld):
    def describe(self) -> FilterInfo:
        return FilterInfo(name="Invert (Python)", description="Inverts colours", defaults=[])

    def apply(self, image: Image, params: list[Param]) -> Image:
        if params:
            raise Err(FilterError_InvalidParam(f"`{params[0].name}` is not a parameter of invert"))
        pixels = bytearray(image.pixels.translate(INVERT))
        pixels[3::4] = image.pixels[3::4]  # keep alpha
        print(f"inverted {image.width}×{image.height} pixels")
        return Image(width=image.width, height=image.height, pixels=bytes(pixels))
