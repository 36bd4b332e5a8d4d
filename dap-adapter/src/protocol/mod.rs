//! DAP's typed messages: request arguments as clients send them
//! (`arguments`), the objects the adapter answers with (`types`), and the
//! capabilities it announces (`capabilities`). Field names follow the
//! specification (camelCase on the wire).

pub mod arguments;
pub mod capabilities;
pub mod types;
