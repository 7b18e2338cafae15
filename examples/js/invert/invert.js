// A filter for airlock:design/filter: inverts colours, keeps alpha.
export function describe() {
  return { name: "Invert (JS)", description: "Inverts colours", defaults: [] };
}

export function apply(image, params) {
  if (params.length > 0) {
    throw { tag: "invalid-param", val: `\`${params[0].name}\` is not a parameter of invert` };
  }
  const px = image.pixels;
  for (let i = 0; i < px.length; i += 4) {
    px[i] = 255 - px[i];
    px[i + 1] = 255 - px[i + 1];
    px[i + 2] = 255 - px[i + 2];
  }
  console.log(`inverted ${image.width}×${image.height} pixels`);
  return image;
}
