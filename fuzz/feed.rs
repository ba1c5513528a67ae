//! Feeding a connection the peer's bytes in pieces, as a socket delivers them: shared by the
//! fuzz targets of both engines.
use ussl::connection::Connection;
use ussl::engine::EngineConnection;

/// Delivers `input` in pieces of `piece` bytes, answering, reading and writing as the shim does,
/// until the connection fails or takes no more; then the end of the stream and a close.
pub fn feed(conn: &mut Connection, input: &[u8], piece: usize) {
    let mut plaintext = [0u8; 512];
    let mut rest = input;
    while !rest.is_empty() {
        let n = conn.pending_output().len();
        conn.consume_output(n);
        if conn.recv_want() == 0 {
            break;
        }
        let Ok(space) = conn.recv_space() else { break };
        let k = space.len().min(piece).min(rest.len());
        space[..k].copy_from_slice(&rest[..k]);
        rest = &rest[k..];
        if conn.recv_commit(k).is_err() {
            break;
        }
        while conn.read(&mut plaintext) > 0 {}
        let _ = conn.write(b"x");
    }
    let _ = conn.recv_eof();
    let _ = conn.close();
}
