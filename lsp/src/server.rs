//! The LSP side: requests and notifications turned into questions for the
//! [`Workspace`], and its answers into LSP types. Lines are 1-based in the
//! workspace and 0-based on the wire.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::options::Options;
use crate::workspace::Workspace;

/// How often the server looks at its programs' and profiles' files.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// The custom request the VS Code extension paints heat with.
pub const HEAT_METHOD: &str = "wasmscope/heat";

pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
}

struct Shared {
    workspace: RwLock<Workspace>,
    open: RwLock<HashSet<Uri>>,
    /// The client re-asks for lenses and hints when told.
    refresh: RwLock<(bool, bool)>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeatParams {
    pub uri: Uri,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeatLine {
    /// 0-based.
    pub line: u32,
    pub own: u64,
    pub total: u64,
    pub own_share: f64,
    pub total_share: f64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeatResult {
    /// The profile the heat comes from, if any.
    pub profile: Option<PathBuf>,
    pub total_samples: u64,
    pub lines: Vec<HeatLine>,
}

impl Backend {
    pub fn new(client: Client) -> Self {
        let shared = Shared {
            workspace: RwLock::new(Workspace::default()),
            open: RwLock::new(HashSet::new()),
            refresh: RwLock::new((false, false)),
        };
        Backend { client, shared: Arc::new(shared) }
    }

    /// `wasmscope/heat`: every line of the document the profile has samples on.
    pub async fn heat(&self, params: HeatParams) -> Result<HeatResult> {
        let path = file_path(&params.uri)?;
        let workspace = self.shared.workspace.read().unwrap_or_else(|p| p.into_inner());
        let Some(profile) = workspace.profile() else {
            return Ok(HeatResult { profile: None, total_samples: 0, lines: Vec::new() });
        };
        let heat = &profile.heat;
        let lines = workspace
            .line_heat(&path)
            .into_iter()
            .map(|(line, s)| HeatLine {
                line: line.saturating_sub(1),
                own: s.own,
                total: s.total,
                own_share: heat.share(s.own),
                total_share: heat.share(s.total),
            })
            .collect();
        Ok(HeatResult { profile: Some(profile.path.clone()), total_samples: heat.total_samples, lines })
    }
}

/// The file a `file:` URI names.
fn file_path(uri: &Uri) -> Result<PathBuf> {
    let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
    is_file
        .then(|| uri.to_file_path().map(|p| p.into_owned()))
        .flatten()
        .ok_or_else(|| Error::invalid_params(format!("`{}` is not a file: URI", uri.as_str())))
}

/// A document to answer about: an unsaved or remote one (`untitled:`) has
/// nothing to show, which is an empty answer rather than an error.
fn document_path(uri: &Uri) -> Option<PathBuf> {
    file_path(uri).ok()
}

fn line_range(line: u32) -> Range {
    let line = line.saturating_sub(1);
    Range::new(Position::new(line, 0), Position::new(line, 0))
}

impl Shared {
    /// Reads the workspace again; what could not be read, and a line for
    /// the client's log saying what was.
    fn reload(&self) -> (Vec<String>, String) {
        let started = std::time::Instant::now();
        let mut workspace = self.workspace.write().unwrap_or_else(|p| p.into_inner());
        let problems = workspace.load();
        let profile = match workspace.profile() {
            Some(p) => format!("{} ({} samples)", p.path.display(), p.heat.total_samples),
            None => "no profile".to_owned(),
        };
        let line = format!(
            "wasmscope: {} program(s) and {profile} read in {:.0} ms",
            workspace.program_count(),
            started.elapsed().as_secs_f64() * 1e3
        );
        (problems, line)
    }

    fn diagnostics(&self, uri: &Uri) -> Vec<Diagnostic> {
        let Ok(path) = file_path(uri) else { return Vec::new() };
        let workspace = self.workspace.read().unwrap_or_else(|p| p.into_inner());
        workspace
            .stale(&path)
            .map(|message| Diagnostic {
                range: line_range(1),
                severity: Some(DiagnosticSeverity::HINT),
                source: Some("wasmscope".into()),
                message,
                ..Diagnostic::default()
            })
            .into_iter()
            .collect()
    }
}

/// Says what could not be read, once per load.
async fn report(client: &Client, (problems, line): (Vec<String>, String)) {
    client.log_message(MessageType::INFO, line).await;
    for problem in problems {
        client.show_message(MessageType::WARNING, format!("wasmscope: {problem}")).await;
    }
}

/// After a reload: the client asks again for lenses and hints, and the
/// open documents' diagnostics are published anew.
async fn refresh(client: &Client, shared: &Shared) {
    let (lenses, hints) = *shared.refresh.read().unwrap_or_else(|p| p.into_inner());
    if lenses {
        let _ = client.code_lens_refresh().await;
    }
    if hints {
        let _ = client.inlay_hint_refresh().await;
    }
    let open: Vec<Uri> = shared.open.read().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect();
    for uri in open {
        let diagnostics = shared.diagnostics(&uri);
        client.publish_diagnostics(uri, diagnostics, None).await;
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let options = Options::parse(params.initialization_options).map_err(Error::invalid_params)?;
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or(params.root_uri)
            .and_then(|uri| uri.to_file_path().map(|p| p.into_owned()));
        *self.shared.workspace.write().unwrap_or_else(|p| p.into_inner()) = Workspace::new(root, options);
        let workspace_caps = params.capabilities.workspace.as_ref();
        let lenses = workspace_caps.and_then(|w| w.code_lens.as_ref()).and_then(|c| c.refresh_support);
        let hints = workspace_caps.and_then(|w| w.inlay_hint.as_ref()).and_then(|c| c.refresh_support);
        *self.shared.refresh.write().unwrap_or_else(|p| p.into_inner()) =
            (lenses.unwrap_or(false), hints.unwrap_or(false));
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                })),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                inlay_hint_provider: Some(OneOf::Left(true)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo { name: "wasmscope".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let problems = self.shared.reload();
        report(&self.client, problems).await;
        let (client, shared) = (self.client.clone(), self.shared.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(WATCH_EVERY).await;
                let changed = shared.workspace.read().unwrap_or_else(|p| p.into_inner()).changed();
                if changed {
                    let problems = shared.reload();
                    report(&client, problems).await;
                    refresh(&client, &shared).await;
                }
            }
        });
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let uri = params.text_document.uri;
        self.shared.open.write().unwrap_or_else(|p| p.into_inner()).insert(uri.clone());
        let diagnostics = self.shared.diagnostics(&uri);
        self.client.publish_diagnostics(uri, diagnostics, None).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        let diagnostics = self.shared.diagnostics(&uri);
        self.client.publish_diagnostics(uri, diagnostics, None).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.shared.open.write().unwrap_or_else(|p| p.into_inner()).remove(&params.text_document.uri);
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let Some(path) = document_path(&params.text_document.uri) else { return Ok(None) };
        let workspace = self.shared.workspace.read().unwrap_or_else(|p| p.into_inner());
        let lenses = workspace
            .lenses(&path)
            .into_iter()
            .map(|lens| CodeLens {
                range: line_range(lens.line),
                // A title only: nothing to run when clicked.
                command: Some(Command { title: lens.title, command: String::new(), arguments: None }),
                data: None,
            })
            .collect();
        Ok(Some(lenses))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let Some(path) = document_path(&params.text_document.uri) else { return Ok(None) };
        let (first, last) = (params.range.start.line + 1, params.range.end.line + 1);
        let workspace = self.shared.workspace.read().unwrap_or_else(|p| p.into_inner());
        let hints = workspace
            .hints(&path)
            .into_iter()
            .filter(|(line, _)| (first..=last).contains(line))
            .map(|(line, label)| InlayHint {
                // The end of the line: the client clamps the character.
                position: Position::new(line - 1, u32::MAX / 2),
                label: InlayHintLabel::String(label),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
            .collect();
        Ok(Some(hints))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let Some(path) = document_path(&position.text_document.uri) else { return Ok(None) };
        let workspace = self.shared.workspace.read().unwrap_or_else(|p| p.into_inner());
        Ok(workspace.hover(&path, position.position.line + 1).map(|value| Hover {
            contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
            range: None,
        }))
    }
}
