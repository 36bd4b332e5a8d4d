//! The launcher the DAP server gets: Wasmtime in this process, or V8 (Node,
//! chromium) over the DevTools protocol, as the launch configuration's
//! `target` says (`GuestConfig::host`).

use wasmscope_debugger::target::{CompileReport, GuestConfig, GuestHost, Launcher, PreparedTarget, TargetError};
use wasmscope_devtools::DevtoolsLauncher;
use wasmscope_runtime::LocalLauncher;

#[derive(Debug, Default)]
pub struct HostLauncher {
    local: LocalLauncher,
    devtools: DevtoolsLauncher,
}

impl Launcher for HostLauncher {
    fn prepare(
        &self,
        program: &GuestConfig,
        bytes: &[u8],
        on_compiled: Box<dyn FnOnce(CompileReport) + Send>,
    ) -> Result<Box<dyn PreparedTarget>, TargetError> {
        match program.host {
            GuestHost::Wasmtime => self.local.prepare(program, bytes, on_compiled),
            GuestHost::Node { .. } | GuestHost::Chrome { .. } | GuestHost::DevtoolsPort { .. } => {
                self.devtools.prepare(program, bytes, on_compiled)
            }
        }
    }
}
