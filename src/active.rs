//! The engine this build has (Cargo features: `lib.rs` refuses both or neither), and its
//! handle types, which `ffi` wraps through the contract in `engine`. A module of its own so that
//! `engine` names neither engine (each engine builds on `engine`).

use crate::engine::{Engine, EngineContext};

#[cfg(feature = "engine-rustls")]
pub type Active = crate::rustls_engine::RustlsEngine;
#[cfg(feature = "lean")]
pub type Active = crate::lean::LeanEngine;

pub type Context = <Active as Engine>::Context;
pub type Connection = <Active as Engine>::Connection;
pub type Session = <Active as Engine>::Session;
pub type ServerState = <Context as EngineContext>::ServerState;
