//! The lean engine's client after its ClientHello, fed arbitrary bytes as the server's, in
//! pieces of the size the first byte picks.
#![no_main]
#[path = "../../feed.rs"]
mod feed;

use std::cell::RefCell;

use ussl::context::Context;
use ussl::engine::{EngineConnection, EngineContext};

const CA: &[u8] = include_bytes!("../../../tests/data/ca.pem");

thread_local! {
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&knob, input)) = data.split_first() else { return };
    CONTEXT.with(|cell| {
        let mut slot = cell.borrow_mut();
        let ctx = slot.get_or_insert_with(|| {
            let mut ctx = Context::new(false);
            ctx.add_trust_anchors(CA).expect("the test CA loads");
            ctx
        });
        let Ok(mut conn) = ussl::connection::Connection::client(ctx, Some("localhost"), None) else { return };
        feed::feed(&mut conn, input, usize::from(knob) + 1);
    });
});
