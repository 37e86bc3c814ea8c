// Layout of the stored forward states of an adjoint run (the `fwd` buffer, u32 words), shared by the
// adjoint kernels (fwd_value) and the compression kernel (forward_pack.wgsl). Composed after
// stencil.wgsl; the module declares `fwd` at @binding(4).
//
// A slot holds one state: VEL_PLANES velocity planes, then STRESS_PLANES stress planes.
//  FWD_FORMAT 0 (exact modes): the float32 values, plane-major.
//  FWD_FORMAT 1 (16-bit) and 2 (8-bit): every plane is cut into blocks of FWD_BLOCK values (the last
//    one padded); a slot is one float32 scale per block (block-major: plane * blocks per plane +
//    block), then the blocks' packed values. 16-bit: value / scale as a float16, two per word, the
//    scale a power of two that puts the block's largest magnitude in [2^14, 2^15): float16's range
//    (65504) is never exceeded whatever the units (stresses in Pa), its 11-bit precision is kept for
//    the block's large values, and dividing by the scale is exact. 8-bit: value / scale as a signed
//    normalized byte (pack4x8snorm, 127 levels), four per word, the scale = the block's largest
//    magnitude (blocks below 1e-30 are stored as zero).
override VEL_PLANES: u32;
override STRESS_PLANES: u32;
override FWD_FORMAT: u32 = 0u;
override FWD_BLOCK: u32 = 256u;

fn fwd_planes() -> u32 { return VEL_PLANES + STRESS_PLANES; }
fn fwd_blocks_per_plane() -> u32 { return (stride() + FWD_BLOCK - 1u) / FWD_BLOCK; }
fn fwd_blocks() -> u32 { return fwd_planes() * fwd_blocks_per_plane(); }
fn fwd_values_per_word() -> u32 { return select(2u, 4u, FWD_FORMAT == 2u); }
fn fwd_words_per_block() -> u32 { return FWD_BLOCK / fwd_values_per_word(); }
fn fwd_slot_words() -> u32 {
  if (FWD_FORMAT == 0u) { return fwd_planes() * stride(); }
  return fwd_blocks() * (1u + fwd_words_per_block());
}

// Value k of plane p in slot `slot`: a plane holds every shot's copy (k = shot_base + node).
fn fwd_value(slot: u32, p: u32, k: u32) -> f32 {
  let base = slot * fwd_slot_words();
  if (FWD_FORMAT == 0u) { return bitcast<f32>(fwd[base + p * stride() + k]); }
  let block = p * fwd_blocks_per_plane() + k / FWD_BLOCK;
  let at = k % FWD_BLOCK;
  let word = fwd[base + fwd_blocks() + block * fwd_words_per_block() + at / fwd_values_per_word()];
  let scale = bitcast<f32>(fwd[base + block]);
  if (FWD_FORMAT == 1u) { return unpack2x16float(word)[at % 2u] * scale; }
  return unpack4x8snorm(word)[at % 4u] * scale;
}
