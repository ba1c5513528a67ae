//! One rustls step: what `process_tls_records` asks for (encode, transmit, read, write) done
//! into the connection's buffers, growing them fallibly. `connection` drives these steps.

use alloc::vec::Vec;

use rustls::unbuffered::{ConnectionState, EncodeError, EncryptError, UnbufferedStatus};

/// What to do when the connection reaches the state where it may send application data.
pub(super) enum Action<'a> {
    Nothing,
    Encrypt(&'a [u8]),
    CloseNotify,
}

/// Where decrypted application data goes first: the caller's buffer when it passed one (saving
/// a copy, and 16 KB of peak memory for a full record), then the connection's own buffer.
pub(super) struct Sink<'a> {
    pub(super) out: &'a mut [u8],
    pub(super) filled: usize,
}

impl Sink<'_> {
    pub(super) fn none() -> Sink<'static> {
        Sink { out: &mut [], filled: 0 }
    }
}

/// Where one `process_tls_records` step left us.
pub(super) enum Next {
    Continue,
    /// Waiting for the peer's next record.
    Blocked,
    /// Handshake done, nothing more to do now.
    Idle,
    Closed,
    Failed(rustls::Error),
}

/// The buffers a step writes into, apart from the incoming records that the step borrows.
#[derive(Default)]
pub(super) struct Buffers {
    pub(super) outgoing: Vec<u8>,
    pub(super) sent: usize,
    pub(super) plaintext: Vec<u8>,
    pub(super) read: usize,
    pub(super) peer_closed: bool,
    pub(super) encrypted: usize,
    pub(super) oom: bool,
    /// The last write was a full record: a transfer is under way, so the outgoing buffer is kept
    /// for the next one instead of being freed and allocated again for every record.
    pub(super) bulk_write: bool,
}

/// One step after a failure: only the queued alert's encoding and transmission are taken.
pub(super) fn alert_step<Data>(
    status: UnbufferedStatus<'_, '_, Data>,
    bufs: &mut Buffers,
    action: &mut Action<'_>,
) -> (usize, Next) {
    match status.state {
        Ok(ConnectionState::EncodeTlsData(_)) | Ok(ConnectionState::TransmitTlsData(_)) => {
            step(status, bufs, action, &mut Sink::none())
        }
        _ => (status.discard, Next::Closed),
    }
}

/// Frees a buffer that grew for a large record once it is empty, so an idle connection holds
/// a few KB rather than 16 KB per direction.
pub(super) fn release_if_large(buf: &mut Vec<u8>) {
    if buf.is_empty() && buf.capacity() > 2048 {
        *buf = Vec::new();
    }
}

/// Appends to `buf` whatever `fill` writes into spare room, growing when it asks for more.
fn append_with<E>(
    buf: &mut Vec<u8>,
    first_guess: usize,
    mut fill: impl FnMut(&mut [u8]) -> Result<usize, E>,
    required: impl Fn(&E) -> Option<usize>,
) -> Result<Result<usize, E>, ()> {
    let start = buf.len();
    let mut room = first_guess;
    let mut last = None;
    for _ in 0..4 {
        if crate::fallibly(|| buf.try_reserve_exact(room)).is_err() {
            return Err(());
        }
        buf.resize(start + room, 0);
        let Some(space) = buf.get_mut(start..) else { return Err(()) };
        match fill(space) {
            Ok(n) => {
                buf.truncate(start + n);
                return Ok(Ok(n));
            }
            Err(e) => {
                buf.truncate(start);
                match required(&e) {
                    Some(needed) if needed > room => {
                        room = needed;
                        last = Some(e);
                    }
                    _ => return Ok(Err(e)),
                }
            }
        }
    }
    // Still too small after growing as asked four times: an error, never "nothing written".
    match last {
        Some(e) => Ok(Err(e)),
        None => Err(()),
    }
}

pub(super) fn step<Data>(
    status: UnbufferedStatus<'_, '_, Data>,
    bufs: &mut Buffers,
    action: &mut Action<'_>,
    sink: &mut Sink<'_>,
) -> (usize, Next) {
    let mut discard = status.discard;
    let next = match status.state {
        Err(err) => Next::Failed(err),
        Ok(ConnectionState::EncodeTlsData(mut enc)) => {
            let res = append_with(
                &mut bufs.outgoing,
                512,
                |out| enc.encode(out),
                |e| match e {
                    EncodeError::InsufficientSize(s) => Some(s.required_size),
                    _ => None,
                },
            );
            match res {
                Err(()) => {
                    bufs.oom = true;
                    Next::Closed
                }
                Ok(Ok(_)) => Next::Continue,
                Ok(Err(_)) => Next::Failed(rustls::Error::General("could not encode a handshake message".into())),
            }
        }
        Ok(ConnectionState::TransmitTlsData(tx)) => {
            // The bytes wait in our output buffer, which the shim flushes before it reads
            // again: each flight leaves in one write.
            tx.done();
            Next::Continue
        }
        Ok(ConnectionState::BlockedHandshake) => Next::Blocked,
        Ok(ConnectionState::ReadTraffic(mut rd)) => {
            let mut next = Next::Continue;
            while let Some(record) = rd.next_record() {
                match record {
                    Ok(rec) => {
                        discard += rec.discard;
                        let mut payload = rec.payload;
                        if bufs.plaintext.len() == bufs.read {
                            let room = sink.out.get_mut(sink.filled..).unwrap_or_default();
                            let n = copy_prefix(room, payload);
                            sink.filled += n;
                            payload = payload.get(n..).unwrap_or_default();
                        }
                        if crate::fallibly(|| bufs.plaintext.try_reserve(payload.len())).is_err() {
                            bufs.oom = true;
                            break;
                        }
                        bufs.plaintext.extend_from_slice(payload);
                    }
                    Err(err) => {
                        next = Next::Failed(err);
                        break;
                    }
                }
            }
            next
        }
        // Our configs never accept early data, so this state cannot come; refuse it if it does.
        Ok(ConnectionState::ReadEarlyData(_)) => {
            Next::Failed(rustls::Error::General("early data is not accepted".into()))
        }
        Ok(ConnectionState::PeerClosed) => {
            bufs.peer_closed = true;
            Next::Continue
        }
        Ok(ConnectionState::Closed) => Next::Closed,
        Ok(ConnectionState::WriteTraffic(mut wr)) => match core::mem::replace(action, Action::Nothing) {
            Action::Nothing => Next::Idle,
            Action::Encrypt(data) => {
                let guess = data.len() + 64;
                let res = append_with(
                    &mut bufs.outgoing,
                    guess,
                    |out| wr.encrypt(data, out),
                    |e| match e {
                        EncryptError::InsufficientSize(s) => Some(s.required_size),
                        _ => None,
                    },
                );
                match res {
                    Err(()) => {
                        bufs.oom = true;
                        Next::Idle
                    }
                    Ok(Ok(_)) => {
                        bufs.encrypted = data.len();
                        Next::Idle
                    }
                    Ok(Err(_)) => Next::Failed(rustls::Error::EncryptError),
                }
            }
            Action::CloseNotify => {
                let res = append_with(
                    &mut bufs.outgoing,
                    64,
                    |out| wr.queue_close_notify(out),
                    |e| match e {
                        EncryptError::InsufficientSize(s) => Some(s.required_size),
                        _ => None,
                    },
                );
                match res {
                    Err(()) => {
                        bufs.oom = true;
                        Next::Idle
                    }
                    Ok(Ok(_)) => Next::Idle,
                    Ok(Err(_)) => Next::Failed(rustls::Error::EncryptError),
                }
            }
        },
        Ok(_) => Next::Failed(rustls::Error::General("unexpected connection state".into())),
    };
    (discard, next)
}

/// Copies as much of `from` as fits into the start of `to`; returns how many bytes.
pub(super) fn copy_prefix(to: &mut [u8], from: &[u8]) -> usize {
    let n = to.len().min(from.len());
    if let (Some(to), Some(from)) = (to.get_mut(..n), from.get(..n)) {
        to.copy_from_slice(from);
    }
    n
}
