//! What can go wrong across the seam, typed so the session can tell the
//! user's mistake (say so plainly) from a broken target (a bug to report).

/// An error a target reports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// What was asked cannot be done as asked: an address outside memory,
    /// a local the frame does not have, a program that is not a command.
    /// The message is for the user.
    #[error("{0}")]
    Refused(String),
    /// The thread is running: inspection needs it stopped.
    #[error("the thread is running: pause it first")]
    Running,
    /// No such thread, or it has ended.
    #[error("thread {0} is not live")]
    NoThread(u64),
    /// The program has ended or the target went away.
    #[error("the program is not running")]
    Gone,
    /// A failure of the target itself (the runtime, the connection): not
    /// the user's doing.
    #[error("internal error: {0}")]
    Internal(String),
}

impl TargetError {
    pub fn refused(message: impl Into<String>) -> Self {
        TargetError::Refused(message.into())
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        TargetError::Internal(message.to_string())
    }

    /// Whether the user can fix it (as opposed to a fault of wasmscope or
    /// of the target).
    pub fn is_users(&self) -> bool {
        !matches!(self, TargetError::Internal(_))
    }
}

/// Session code reports errors as text to the client.
impl From<TargetError> for String {
    fn from(error: TargetError) -> Self {
        error.to_string()
    }
}
