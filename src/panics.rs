//! Work on background threads runs under [`catch`]: a panic there becomes an error that names
//! the place in the code, so a front end reports it in one sentence instead of waiting forever
//! for a result that will never come.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

thread_local! {
    /// Where the last panic on this thread happened, as the hook saw it.
    static PLACE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A panic caught, with the source file and line it happened at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panicked {
    pub place: String,
}

/// Runs `work`; a panic inside becomes `Err` with its place.
pub fn catch<T>(work: impl FnOnce() -> T) -> Result<T, Panicked> {
    install_hook();
    std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|_| Panicked {
        place: PLACE
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| "an unknown place".to_owned()),
    })
}

/// Adds, once, a hook that notes where each panic happens before the usual report.
fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            let place = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            PLACE.with(|p| *p.borrow_mut() = place);
            previous(info);
        }));
    });
}

/// Starts a named thread that runs `work` under [`catch`] and hands its result, or its panic,
/// to `deliver`.
pub fn spawn<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
    deliver: impl FnOnce(Result<T, Panicked>) + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || deliver(catch(work)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_place() {
        assert_eq!(catch(|| 7), Ok(7));
        let caught = catch(|| -> u8 { panic!("boom") }).unwrap_err();
        assert!(caught.place.starts_with("src/panics.rs:"), "{caught:?}");
    }
}
