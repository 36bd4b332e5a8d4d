//! The process that runs the program: Node, or the browser.

use std::time::Duration;

use crate::chromium::Chromium;
use crate::node::NodeProcess;

/// How long a program's process may take to end once its connection closed.
const EXIT_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub enum Host {
    Node(NodeProcess),
    Chrome(Chromium),
    /// Let go (detached), or never started.
    None,
}

impl Host {
    /// The exit code, once the process has ended (the browser's is not the
    /// program's: 0).
    pub fn wait_for_exit(&mut self) -> Option<i32> {
        match self {
            Host::Node(node) => node.wait_for_exit(EXIT_WAIT),
            Host::Chrome(_) | Host::None => Some(0),
        }
    }
}
