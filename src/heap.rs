//! The app's own heap, counted: what is allocated and not yet freed, which the WebAssembly
//! memory (it only ever grows) cannot tell apart from what the allocator keeps for reuse.
//!
//! The global allocator is the system allocator wrapped by `stats_alloc` (two relaxed
//! atomic additions per allocation). `scripts/bench-web.py` reads [`heap_live_bytes`] and
//! [`heap_live_blocks`] from the module's exports to tell a leak from fragmentation.

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use wasm_bindgen::prelude::wasm_bindgen;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes allocated and not yet freed (the live Rust heap), at this moment.
#[wasm_bindgen(js_name = heapLiveBytes)]
pub fn heap_live_bytes() -> f64 {
    let s = GLOBAL.stats();
    s.bytes_allocated.wrapping_sub(s.bytes_deallocated) as f64
}

/// Allocations not yet freed (blocks), at this moment.
#[wasm_bindgen(js_name = heapLiveBlocks)]
pub fn heap_live_blocks() -> f64 {
    let s = GLOBAL.stats();
    s.allocations.wrapping_sub(s.deallocations) as f64
}
