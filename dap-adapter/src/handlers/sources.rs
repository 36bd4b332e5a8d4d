//! What was loaded: the module, its source files, and a source's text.

use serde_json::{Value, json};

use crate::message::Request;
use crate::protocol::arguments::SourceArguments;
use crate::protocol::types::{Module, Source};
use crate::server::{Session, arguments, source_of};

type Reply = Result<Option<Value>, String>;

/// The program's module as DAP shows it.
pub(crate) fn module_info(session: &Session) -> Option<Module> {
    let symbols = session.symbols.as_ref()?;
    let module = symbols.program().ok()?;
    let path = symbols.path();
    Some(Module {
        id: 1,
        name: path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned()),
        path: Some(path.display().to_string()),
        symbol_status: if module.has_dwarf() { "DWARF loaded".into() } else { "no DWARF: names only".into() },
        symbol_file_path: session.launch.as_ref().and_then(|l| l.debug_files.first()).map(|p| p.display().to_string()),
    })
}

/// Every source file the line tables name, mapped to local paths.
pub(crate) fn all_sources(session: &Session) -> Vec<Source> {
    let Some(symbols) = &session.symbols else {
        return Vec::new();
    };
    let Ok(module) = symbols.program() else {
        return Vec::new();
    };
    let Ok(Some(lines)) = module.line_index() else {
        return Vec::new();
    };
    let mappings = session.source_mappings();
    let mut files: Vec<&String> = lines.files().iter().filter(|f| !f.is_empty()).collect();
    files.sort();
    files.dedup();
    files.into_iter().map(|f| source_of(f, &mappings)).collect()
}

pub(crate) fn loaded_sources(session: &mut Session, _request: &Request) -> Reply {
    Ok(Some(json!({ "sources": all_sources(session) })))
}

pub(crate) fn modules(session: &mut Session, _request: &Request) -> Reply {
    let modules: Vec<Module> = module_info(session).into_iter().collect();
    Ok(Some(json!({ "modules": modules, "totalModules": modules.len() })))
}

/// Largest source file served.
const MAX_SOURCE: u64 = 32 * 1024 * 1024;

/// wasmscope gives out no source references: sources are files, read from
/// disk when the client asks by path, and only files the program's DWARF
/// names (after `sourceMap`): a client is not a file server's client.
/// A page's script, which a JavaScript frame named by reference.
fn script_source(session: &mut Session, reference: i64) -> Reply {
    let script = session
        .script_sources
        .script(reference)
        .ok_or_else(|| format!("no source with reference {reference}"))?
        .to_owned();
    let run = session.run.as_mut().ok_or("the program has ended: its scripts are gone")?;
    let content = run.target.script_source(&script)?;
    Ok(Some(json!({ "content": content, "mimeType": "text/javascript" })))
}

pub(crate) fn source(session: &mut Session, request: &Request) -> Reply {
    let args: SourceArguments = arguments(request)?;
    let reference = args.source.as_ref().and_then(|s| s.source_reference).unwrap_or(args.source_reference);
    let path = args.source.and_then(|s| s.path);
    if path.is_none() && reference > 0 {
        return script_source(session, reference);
    }
    let path = path.ok_or_else(|| {
        format!("no source with reference {reference}: wasmscope serves sources by path, and page scripts by the reference of their frames")
    })?;
    let wanted = std::fs::canonicalize(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let named = all_sources(session)
        .into_iter()
        .filter_map(|source| source.path)
        .any(|known| std::fs::canonicalize(known).is_ok_and(|known| known == wanted));
    if !named {
        return Err(format!("{path} is not a source file of the program's debug info: wasmscope serves only those"));
    }
    let metadata = std::fs::metadata(&wanted).map_err(|e| format!("cannot read {path}: {e}"))?;
    if !metadata.is_file() || metadata.len() > MAX_SOURCE {
        return Err(format!("{path} is not a regular file of at most {} MiB", MAX_SOURCE >> 20));
    }
    let content = std::fs::read_to_string(&wanted).map_err(|e| format!("cannot read {path}: {e}"))?;
    Ok(Some(json!({ "content": content })))
}
