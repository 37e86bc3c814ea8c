// Compression of forward states into the lossy formats of forward_store.wgsl. Composed after
// stencil.wgsl, fields_forward.wgsl and forward_store.wgsl. One workgroup per block: each invocation takes 4 values.
@group(0) @binding(4) var<storage, read_write> fwd: array<u32>;
@group(0) @binding(5) var<storage, read> states: array<f32>;  // float32 states, one after the other

struct PackJob {
  first_state: u32,  // first state of `states` to compress
  first_slot: u32,   // the slot of `fwd` it goes to
  count: u32,        // how many consecutive states
  pad: u32,
}
@group(0) @binding(6) var<storage, read> job: PackJob;

var<workgroup> block_max: atomic<u32>;  // bits of the block's largest magnitude (monotonic for >= 0)

@compute @workgroup_size(FWD_BLOCK / 4u)
fn pack(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let id = wid.y * groups.x + wid.x;
  let blocks = fwd_blocks();
  let state = id / blocks;
  if (state >= job.count) { return; }
  let block = id % blocks;
  let p = block / fwd_blocks_per_plane();
  let first = (block % fwd_blocks_per_plane()) * FWD_BLOCK + 4u * lane;  // node of this lane's values
  let src = (job.first_state + state) * fwd_planes() * stride() + p * stride();
  var v = vec4<f32>(0.0);
  for (var c = 0u; c < 4u; c++) {
    if (first + c < stride()) { v[c] = states[src + first + c]; }
  }
  if (lane == 0u) { atomicStore(&block_max, 0u); }
  workgroupBarrier();
  let a = abs(v);
  atomicMax(&block_max, bitcast<u32>(max(max(a.x, a.y), max(a.z, a.w))));
  workgroupBarrier();
  let m = bitcast<f32>(atomicLoad(&block_max));
  var scale: f32;
  var inverse: f32;
  if (FWD_FORMAT == 1u) {
    // m = f * 2^e with f in [0.5, 1): m / 2^(e - 15) lies in [2^14, 2^15).
    let e = clamp(15 - frexp(m).exp, -113, 126);
    scale = ldexp(1.0, -e);
    inverse = ldexp(1.0, e);
  } else {
    let stored = m >= 1e-30;
    scale = select(0.0, m, stored);
    inverse = select(0.0, 1.0 / m, stored);
  }
  let w = v * inverse;
  let base = (job.first_slot + state) * fwd_slot_words();
  let data = base + blocks + block * fwd_words_per_block();
  if (lane == 0u) { fwd[base + block] = bitcast<u32>(scale); }
  if (FWD_FORMAT == 1u) {
    fwd[data + 2u * lane] = pack2x16float(w.xy);
    fwd[data + 2u * lane + 1u] = pack2x16float(w.zw);
  } else {
    fwd[data + lane] = pack4x8snorm(w);
  }
}
