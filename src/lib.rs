//! cin7-planner: turns a Cin7 Omni account into a demand-planning project.
//!
//! One engine ([`import`]) behind two front ends: the egui window ([`ui`]) and the headless
//! command line ([`cli`]). [`cin7`] speaks the API, [`sandbox`] reproduces it on loopback,
//! [`project`] is the planning project and its file format.

#![recursion_limit = "256"]
#![forbid(unsafe_code)]

pub mod atomic_file;
pub mod bounds;
pub mod cin7;
pub mod cli;
pub mod duration;
pub mod identity;
pub mod import;
pub mod io_error;
pub mod log_file;
pub mod panics;
pub mod project;
pub mod rate_limit;
pub mod sandbox;
pub mod secrets;
mod state_dir;
mod sync;
pub mod text;
pub mod ui;

pub use state_dir::state_dir;
