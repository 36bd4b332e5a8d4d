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
    /// A process wasmscope did not start (attached by port).
    Attached {
        browser: bool,
    },
    /// Let go (detached), or never started.
    None,
}

impl Host {
    /// Whether Node runs the program (it prints its own console and
    /// errors, and waits for the debugger to leave before it ends).
    pub fn is_node(&self) -> bool {
        matches!(self, Host::Node(_) | Host::Attached { browser: false })
    }

    /// The exit code, once the process has ended (the browser's is not the
    /// program's: 0).
    pub fn wait_for_exit(&mut self) -> Option<i32> {
        match self {
            Host::Node(node) => node.wait_for_exit(EXIT_WAIT),
            Host::Chrome(_) | Host::Attached { .. } | Host::None => Some(0),
        }
    }
}
