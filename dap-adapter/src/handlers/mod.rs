//! The request handlers, by area. Each takes the session and the request
//! and returns the response body or an error message; the server turns
//! that into the response.

pub(crate) mod breakpoints;
pub(crate) mod completions;
pub(crate) mod execution;
pub(crate) mod lifecycle;
pub(crate) mod memory;
pub(crate) mod sources;
pub(crate) mod stack;
pub(crate) mod variables;
