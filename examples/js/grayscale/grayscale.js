// Grayscale filter (airlock:design/filter) in JavaScript: Rec. 709 luma, with
// `amount` blending between the original (0) and gray (1). The bench's JS guest.

export function describe() {
  return {
    name: "Grayscale (JS)",
    description: "Rec. 709 luma; `amount` blends between the original (0) and gray (1)",
    defaults: [{ name: "amount", value: { tag: "number", val: 1 } }],
  };
}

export function apply(image, params) {
  let amount = 1;
  for (const p of params) {
    if (p.name === "amount" && p.value.tag === "number" && p.value.val >= 0 && p.value.val <= 1) {
      amount = p.value.val;
    } else {
      throw { tag: "invalid-param", val: `\`${p.name}\` must be a number in 0..=1` };
    }
  }
  const px = image.pixels;
  if (px.length !== image.width * image.height * 4) {
    throw { tag: "unsupported-image", val: "pixel buffer does not match width × height × 4" };
  }
  for (let i = 0; i < px.length; i += 4) {
    // Rec. 709 luma in 16-bit fixed point (rounding included).
    const luma = (13933 * px[i] + 46871 * px[i + 1] + 4732 * px[i + 2] + 32768) >> 16;
    if (amount === 1) {
      px[i] = px[i + 1] = px[i + 2] = luma;
    } else {
      for (let c = i; c < i + 3; c++) px[c] = Math.round(px[c] + (luma - px[c]) * amount);
    }
  }
  return image;
}
