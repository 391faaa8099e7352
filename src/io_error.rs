//! What went wrong with a file, in words a planner reads: the kind of failure ("you may not
//! write there", "the disk is full"), never an operating system's error number or the name of
//! a temporary file the app wrote first.

use std::io::{Error, ErrorKind};

/// Marks the refusal to replace a file this user may not change (see
/// [`crate::atomic_file::may_replace`]).
#[derive(Debug, thiserror::Error)]
#[error("it is read-only")]
pub struct ReadOnly;

/// The reason for `error`, as a clause: "the disk is full".
pub fn reason(error: &Error) -> String {
    if is_read_only(error) {
        return ReadOnly.to_string();
    }
    let plain = match error.kind() {
        ErrorKind::NotFound => "it or its folder does not exist",
        ErrorKind::PermissionDenied => "you may not write there",
        ErrorKind::ReadOnlyFilesystem => "the disk it is on is read-only",
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "the disk is full",
        ErrorKind::FileTooLarge => "the file is too large for that disk",
        ErrorKind::IsADirectory => "it is a folder",
        ErrorKind::NotADirectory => "a part of the path is not a folder",
        ErrorKind::InvalidFilename => "the name is not a valid file name",
        ErrorKind::AlreadyExists => "it exists already",
        ErrorKind::WouldBlock | ErrorKind::ResourceBusy => "it is in use",
        ErrorKind::TimedOut => "the disk did not answer in time",
        ErrorKind::Interrupted => "the operation was interrupted",
        ErrorKind::InvalidData | ErrorKind::UnexpectedEof => "what it holds could not be read",
        ErrorKind::OutOfMemory => "there was not enough memory",
        ErrorKind::AddrInUse => "the port is in use",
        _ => "the operating system refused it",
    };
    plain.to_owned()
}

/// The reason a server could not start listening, as a clause: "the port is in use".
pub fn listen_reason(error: &Error) -> String {
    match error.kind() {
        ErrorKind::PermissionDenied => "this user may not use that port".to_owned(),
        _ => reason(error),
    }
}

/// The reason a file could not be read, as a clause: "you may not read it".
pub fn read_reason(error: &Error) -> String {
    match error.kind() {
        ErrorKind::PermissionDenied => "you may not read it".to_owned(),
        _ => reason(error),
    }
}

/// Whether `error` is the refusal to replace a read-only file.
pub fn is_read_only(error: &Error) -> bool {
    error
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<ReadOnly>().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_error_number_and_no_file_name_reach_the_reason() {
        let full = Error::from_raw_os_error(28);
        assert!(full.to_string().contains("os error 28"));
        assert_eq!(reason(&full), "the disk is full");
        assert_eq!(
            reason(&Error::from_raw_os_error(13)),
            "you may not write there"
        );
        let read_only = Error::new(ErrorKind::PermissionDenied, ReadOnly);
        assert_eq!(reason(&read_only), "it is read-only");
        assert!(is_read_only(&read_only));
        let odd = Error::other("/tmp/.shop.json.abc123.tmp: weird");
        assert_eq!(reason(&odd), "the operating system refused it");
        // A port, not a file.
        assert_eq!(
            listen_reason(&Error::from_raw_os_error(13)),
            "this user may not use that port"
        );
        assert_eq!(
            listen_reason(&Error::from_raw_os_error(98)),
            "the port is in use"
        );
    }
}
