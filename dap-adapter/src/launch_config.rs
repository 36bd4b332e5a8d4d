//! The `wasmscope` launch configuration: what a `launch.json` entry may
//! say, checked strictly so a misspelt attribute is an error that names it
//! rather than a setting silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use wasmscope_debugger::coredump::CoreLauncher;
use wasmscope_debugger::symbols::PathMapping;
use wasmscope_debugger::target::{DirMapping, GuestConfig, GuestHost};

/// Attributes every client may add to any configuration (VS Code's own,
/// IntelliJ's, and `__`-prefixed internals); they mean nothing to us.
const CLIENT_ATTRIBUTES: &[&str] = &[
    "type",
    "request",
    "name",
    "preLaunchTask",
    "postDebugTask",
    "internalConsoleOptions",
    "presentation",
    "debugServer",
    "console",
    "noDebug",
];

#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct RawConfig {
    program: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    cwd: Option<String>,
    #[serde(default)]
    dirs: Vec<String>,
    stdin: Option<String>,
    #[serde(default)]
    stop_on_entry: bool,
    #[serde(default)]
    source_map: BTreeMap<String, String>,
    #[serde(default)]
    debug_files: Vec<String>,
    #[serde(default)]
    no_debug: bool,
    max_wasm_stack: Option<String>,
    core_dump: Option<String>,
    core_dump_on_trap: Option<String>,
    target: Option<String>,
    url: Option<String>,
    script: Option<String>,
    #[serde(default)]
    headed: bool,
}

/// One attribute of the launch configuration: the single definition the
/// parser checks against and the schema IDEs show (`wasmscope dap
/// --launch-schema`; the VS Code extension's package.json is generated
/// from it).
#[derive(Clone, Copy, Debug)]
pub struct Attribute {
    pub name: &'static str,
    /// JSON schema type: `string`, `boolean`, `array` (of strings) or
    /// `object` (string values).
    pub kind: &'static str,
    pub description: &'static str,
}

pub const ATTRIBUTES: &[Attribute] = &[
    Attribute {
        name: "program",
        kind: "string",
        description: "The WebAssembly program to debug: a WASI command module (.wasm) with DWARF debug info. With \"target\": \"chrome\", a `script` for Node, or an attach to Node or Chromium, it may be left out: the first module with DWARF the page loads is the program.",
    },
    Attribute { name: "args", kind: "array", description: "Command-line arguments passed to the program (argv[1..])." },
    Attribute { name: "env", kind: "object", description: "Environment variables of the program (name: value)." },
    Attribute {
        name: "cwd",
        kind: "string",
        description: "Directory against which relative paths in this configuration are resolved.",
    },
    Attribute {
        name: "dirs",
        kind: "array",
        description: "Host directories the program may open, as HOST or HOST::GUEST (as `wasmtime run --dir`).",
    },
    Attribute {
        name: "stdin",
        kind: "string",
        description: "A file the program reads as its standard input (default: empty).",
    },
    Attribute { name: "stopOnEntry", kind: "boolean", description: "Stop before the program's first instruction." },
    Attribute {
        name: "sourceMap",
        kind: "object",
        description: "Build path prefix → local path, for sources compiled elsewhere (e.g. {\"/build\": \"${workspaceFolder}\"}).",
    },
    Attribute {
        name: "debugFiles",
        kind: "array",
        description: "Separate files holding the program's DWARF (default: its own sections, its external_debug_info section, or PROGRAM.debug.wasm).",
    },
    Attribute {
        name: "maxWasmStack",
        kind: "string",
        description: "The most Wasm stack the program may use, as `wasmtime run -W max-wasm-stack` counts it (e.g. \"8M\"; default 512K, wasmtime's). The debugger allows 16 times as much, for its larger frames.",
    },
    Attribute {
        name: "coreDump",
        kind: "string",
        description: "Open this Wasm coredump (post-mortem: the stack, variables and memory at its trap; nothing runs) instead of running the program. `program` is then optional: by default, the program the coredump names.",
    },
    Attribute {
        name: "coreDumpOnTrap",
        kind: "string",
        description: "Write a coredump to this file when the program traps (with every frame's Wasm locals), then stop there as usual.",
    },
    Attribute {
        name: "target",
        kind: "string",
        description: "What runs the program: \"wasmtime\" (default), \"node\" (Node under its inspector) or \"chrome\" (Debian's chromium on `url`).",
    },
    Attribute {
        name: "url",
        kind: "string",
        description: "With \"target\": \"chrome\": the page that loads the program (its module must be the `program` file, byte for byte).",
    },
    Attribute {
        name: "script",
        kind: "string",
        description: "With \"target\": \"node\": the script Node runs, which loads the program (default: wasmscope's runner, which runs it as a WASI command with `args` and `env`).",
    },
    Attribute {
        name: "headed",
        kind: "boolean",
        description: "With \"target\": \"chrome\": show the browser's window (default: headless).",
    },
];

/// The launch configuration as a JSON schema (VS Code's
/// `configurationAttributes.launch`).
pub fn launch_schema() -> Value {
    let mut properties = serde_json::Map::new();
    for attribute in ATTRIBUTES {
        let mut schema = serde_json::json!({ "type": attribute.kind, "description": attribute.description });
        match attribute.kind {
            "array" => schema["items"] = serde_json::json!({ "type": "string" }),
            "object" => schema["additionalProperties"] = serde_json::json!({ "type": "string" }),
            "boolean" => schema["default"] = Value::Bool(false),
            _ if attribute.name == "target" => schema["enum"] = serde_json::json!(["wasmtime", "node", "chrome"]),
            _ => {}
        }
        properties.insert(attribute.name.to_owned(), schema);
    }
    // `program` or `coreDump`: the parser says which is missing.
    serde_json::json!({ "properties": properties })
}

/// What runs the program, from `target` and the attributes that go with it.
fn guest_host(
    target: Option<&str>,
    url: Option<&str>,
    script: Option<&Path>,
    headed: bool,
) -> Result<GuestHost, String> {
    let host = match target.unwrap_or("wasmtime") {
        "wasmtime" => GuestHost::Wasmtime,
        "node" => GuestHost::Node { script: script.map(Path::to_path_buf) },
        "chrome" => {
            let url =
                url.map(str::to_owned).ok_or("`target`: \"chrome\" needs `url`, the page that loads the program")?;
            if !(url.starts_with("http://") || url.starts_with("https://") || url.starts_with("file://")) {
                return Err(format!("`url`: {url} is not an http, https or file address"));
            }
            GuestHost::Chrome { url, headless: !headed }
        }
        other => return Err(format!("`target`: unknown target {other:?}; give \"wasmtime\", \"node\" or \"chrome\"")),
    };
    if let Some(script) = script {
        if !matches!(host, GuestHost::Node { .. }) {
            return Err("`script` goes with \"target\": \"node\"".into());
        }
        if !script.is_file() {
            return Err(format!("`script`: {} does not exist or is not a file", script.display()));
        }
    }
    if url.is_some() && !matches!(host, GuestHost::Chrome { .. }) {
        return Err("`url` goes with \"target\": \"chrome\"".into());
    }
    if headed && !matches!(host, GuestHost::Chrome { .. }) {
        return Err("`headed` goes with \"target\": \"chrome\"".into());
    }
    Ok(host)
}

/// A checked launch configuration, paths resolved against `cwd`.
#[derive(Clone, Debug)]
pub struct LaunchConfig {
    pub guest: GuestConfig,
    pub stop_on_entry: bool,
    /// Run without breakpoints or stops (the client's "Run Without
    /// Debugging").
    pub no_debug: bool,
    /// Build path prefix → local path, for both directions.
    pub source_map: Vec<PathMapping>,
    pub debug_files: Vec<PathBuf>,
    /// Attached to a running program rather than launched: restart does
    /// not apply, and disconnect leaves the program running.
    pub attached: bool,
    /// A coredump to open instead of running the program.
    pub core: Option<Arc<CoreLauncher>>,
    /// Where to write a coredump when the program traps.
    pub core_dump_on_trap: Option<PathBuf>,
    /// The program is the module the target found (a page's), not a file.
    pub found_program: bool,
}

impl LaunchConfig {
    /// Checks `arguments` of a launch request; the error names the
    /// attribute at fault.
    pub fn parse(arguments: &Value) -> Result<Self, String> {
        Self::parse_for(arguments, false)
    }

    /// `attaching`: to a running Node or Chromium, which finds its program
    /// without `program`.
    fn parse_for(arguments: &Value, attaching: bool) -> Result<Self, String> {
        let Some(object) = arguments.as_object() else {
            return Err("launch arguments must be an object".into());
        };
        for key in object.keys() {
            let own = ATTRIBUTES.iter().any(|a| a.name == key);
            let known = own || CLIENT_ATTRIBUTES.contains(&key.as_str()) || key.starts_with("__");
            if !known {
                let names: Vec<&str> = ATTRIBUTES.iter().map(|a| a.name).collect();
                return Err(format!(
                    "unknown launch attribute `{key}`; a `wasmscope` configuration takes {}",
                    names.join(", ")
                ));
            }
        }
        let raw: RawConfig =
            serde_json::from_value(arguments.clone()).map_err(|e| format!("invalid launch configuration: {e}"))?;
        let cwd = raw.cwd.map(PathBuf::from);
        if let Some(cwd) = &cwd
            && !cwd.is_dir()
        {
            return Err(format!("`cwd`: {} is not a directory", cwd.display()));
        }
        let resolve = |path: &str| -> PathBuf {
            match &cwd {
                Some(cwd) if Path::new(path).is_relative() => cwd.join(path),
                _ => PathBuf::from(path),
            }
        };
        let core = match &raw.core_dump {
            Some(path) => Some(Arc::new(CoreLauncher::open(&resolve(path)).map_err(|e| format!("`coreDump`: {e}"))?)),
            None => None,
        };
        let script = raw.script.as_deref().map(resolve);
        let host = guest_host(raw.target.as_deref(), raw.url.as_deref(), script.as_deref(), raw.headed)?;
        // A page, a script of the user's, or a running V8 loads its module
        // itself: the target finds it (wasmscope's WASI runner needs it).
        let finds_its_program =
            attaching || matches!(host, GuestHost::Chrome { .. } | GuestHost::Node { script: Some(_) });
        let program = match (raw.program, &core) {
            (Some(program), _) => resolve(&program),
            (None, Some(core)) => core.program_path().map_err(|e| format!("`coreDump`: {e} (`program`)"))?,
            (None, None) if finds_its_program => PathBuf::new(),
            (None, None) => return Err("the launch configuration needs `program`: the path of a .wasm file".into()),
        };
        if !program.as_os_str().is_empty() && !program.is_file() {
            return Err(format!("`program`: {} does not exist or is not a file", program.display()));
        }
        let mut dirs = Vec::new();
        for text in &raw.dirs {
            let mut mapping: DirMapping = text.parse().map_err(|e| format!("`dirs`: {e}"))?;
            mapping.host = resolve(&mapping.host.to_string_lossy());
            if !mapping.host.is_dir() {
                return Err(format!("`dirs`: {} is not a directory", mapping.host.display()));
            }
            dirs.push(mapping);
        }
        let stdin = raw.stdin.as_deref().map(resolve);
        if let Some(stdin) = &stdin
            && !stdin.is_file()
        {
            return Err(format!("`stdin`: {} does not exist or is not a file", stdin.display()));
        }
        let debug_files: Vec<PathBuf> = raw.debug_files.iter().map(|f| resolve(f)).collect();
        if let Some(missing) = debug_files.iter().find(|f| !f.is_file()) {
            return Err(format!("`debugFiles`: {} does not exist", missing.display()));
        }
        if host != GuestHost::Wasmtime {
            let only_wasmtime = [
                ("dirs", !dirs.is_empty()),
                ("stdin", stdin.is_some()),
                ("coreDump", core.is_some()),
                ("coreDumpOnTrap", raw.core_dump_on_trap.is_some()),
                ("maxWasmStack", raw.max_wasm_stack.is_some()),
            ];
            if let Some((name, _)) = only_wasmtime.iter().find(|(_, given)| *given) {
                return Err(format!(
                    "`{name}` applies to the Wasmtime target only, not to `target`: {:?}",
                    raw.target.unwrap_or_default()
                ));
            }
        }
        let source_map = raw.source_map.into_iter().map(|(from, to)| PathMapping { from, to }).collect();
        let max_wasm_stack = raw
            .max_wasm_stack
            .as_deref()
            .map(wasmscope_debugger::target::parse_stack_size)
            .transpose()
            .map_err(|e| format!("`maxWasmStack`: {e}"))?;
        Ok(LaunchConfig {
            guest: GuestConfig {
                program,
                host,
                args: raw.args,
                env: raw.env.into_iter().collect(),
                dirs,
                stdin,
                quiet: true,
                capture_output: true,
                core_module: 0,
                max_wasm_stack,
                output_budget: None,
            },
            stop_on_entry: raw.stop_on_entry,
            no_debug: raw.no_debug,
            source_map,
            debug_files,
            attached: false,
            core,
            core_dump_on_trap: raw.core_dump_on_trap.as_deref().map(resolve),
            found_program: false,
        })
    }

    /// Checks `arguments` of an attach request to a Node or Chromium
    /// already running (`"target": "node"` or `"chrome"`, with `port`): the
    /// program runs there; `program` gives its symbols.
    pub fn for_devtools_attach(arguments: &Value) -> Result<Self, String> {
        const TAKES: &[&str] = &["target", "port", "program", "url", "cwd", "sourceMap", "debugFiles"];
        let object = arguments.as_object().ok_or("attach arguments must be an object")?;
        let mut launch = serde_json::Map::new();
        for (key, value) in object {
            let ours = TAKES.contains(&key.as_str());
            if !ours && !CLIENT_ATTRIBUTES.contains(&key.as_str()) && !key.starts_with("__") {
                return Err(format!(
                    "unknown attach attribute `{key}`; attaching to Node or Chromium takes {}",
                    TAKES.join(", ")
                ));
            }
            if ours && !matches!(key.as_str(), "target" | "port" | "url") {
                launch.insert(key.clone(), value.clone());
            }
        }
        let browser = match object.get("target").and_then(Value::as_str) {
            Some("node") => false,
            Some("chrome") => true,
            _ => return Err("`target`: attach to \"node\" or \"chrome\" (by `port`)".into()),
        };
        let port = object
            .get("port")
            .and_then(Value::as_u64)
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p > 0)
            .ok_or("`port`: the DevTools port of the running Node or Chromium (a number from 1 to 65535)")?;
        let page = match object.get("url") {
            None => None,
            Some(Value::String(url)) if browser => Some(url.clone()),
            Some(Value::String(_)) => return Err("`url` goes with \"target\": \"chrome\"".into()),
            Some(_) => return Err("`url` must be a string: the start of the page's address".into()),
        };
        let mut config = LaunchConfig::parse_for(&Value::Object(launch), true)?;
        config.guest.host = GuestHost::DevtoolsPort { port, browser, page };
        config.attached = true;
        Ok(config)
    }

    /// Checks `arguments` of an attach request to `program` (the one the
    /// adapter's launcher offers): only `sourceMap` is ours; what a client
    /// uses to reach the adapter (`connect`, `tokenFile`) is its own.
    pub fn for_attach(arguments: &Value, program: PathBuf) -> Result<Self, String> {
        let empty = serde_json::Map::new();
        let object = match arguments {
            Value::Null => &empty,
            Value::Object(object) => object,
            _ => return Err("attach arguments must be an object".into()),
        };
        let mut source_map = Vec::new();
        for (key, value) in object {
            match key.as_str() {
                "sourceMap" => {
                    let pairs = value.as_object().ok_or("`sourceMap` must map build paths to local paths")?;
                    for (from, to) in pairs {
                        let to = to.as_str().ok_or_else(|| format!("`sourceMap`: `{from}` must map to a path"))?;
                        source_map.push(PathMapping { from: from.clone(), to: to.to_owned() });
                    }
                }
                "connect" | "tokenFile" => {}
                other if CLIENT_ATTRIBUTES.contains(&other) || other.starts_with("__") => {}
                other => {
                    return Err(format!(
                        "unknown attach attribute `{other}`; a `wasmscope` attach configuration takes sourceMap \
                         (and connect, tokenFile for the client)"
                    ));
                }
            }
        }
        Ok(LaunchConfig {
            guest: GuestConfig { program, ..GuestConfig::default() },
            stop_on_entry: false,
            no_debug: false,
            source_map,
            debug_files: Vec::new(),
            attached: true,
            core: None,
            core_dump_on_trap: None,
            found_program: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn this_file() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml").to_owned()
    }

    /// The parser reads exactly the attributes the schema announces.
    #[test]
    fn the_schema_and_the_parser_share_one_definition() {
        let schema = launch_schema();
        let announced: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        let raw = serde_json::to_value(RawConfig::default()).unwrap();
        let parsed: Vec<&String> = raw.as_object().unwrap().keys().filter(|k| *k != "noDebug").collect();
        let mut announced_sorted = announced.clone();
        announced_sorted.sort();
        let mut parsed_sorted = parsed.clone();
        parsed_sorted.sort();
        assert_eq!(announced_sorted, parsed_sorted);
    }

    #[test]
    fn a_misspelt_attribute_is_named() {
        let error = LaunchConfig::parse(&json!({ "progam": "x.wasm" })).unwrap_err();
        assert!(error.starts_with("unknown launch attribute `progam`"), "{error}");
    }

    #[test]
    fn client_attributes_are_accepted_and_paths_resolve_against_cwd() {
        let config = LaunchConfig::parse(&json!({
            "type": "wasmscope", "request": "launch", "name": "x", "__sessionId": "1",
            "program": "Cargo.toml", "cwd": env!("CARGO_MANIFEST_DIR"), "env": { "A": "1" },
            "sourceMap": { "/build": "/src" }, "args": ["a"],
        }))
        .unwrap();
        assert_eq!(config.guest.program, PathBuf::from(this_file()));
        assert_eq!(config.guest.env, vec![("A".to_owned(), "1".to_owned())]);
        assert_eq!(config.source_map, vec![PathMapping { from: "/build".into(), to: "/src".into() }]);
    }

    #[test]
    fn wrong_types_and_missing_files_say_which_attribute() {
        let error = LaunchConfig::parse(&json!({ "program": this_file(), "args": "a b" })).unwrap_err();
        assert!(error.contains("invalid launch configuration") && error.contains("sequence"), "{error}");
        let error = LaunchConfig::parse(&json!({ "program": "/no/such.wasm" })).unwrap_err();
        assert!(error.starts_with("`program`"), "{error}");
        let error = LaunchConfig::parse(&json!({ "program": this_file(), "stdin": "/no/such" })).unwrap_err();
        assert!(error.starts_with("`stdin`"), "{error}");
        let error = LaunchConfig::parse(&json!({})).unwrap_err();
        assert!(error.contains("needs `program`"), "{error}");
    }

    #[test]
    fn attach_takes_a_source_map_and_names_what_it_does_not_know() {
        let config = LaunchConfig::for_attach(
            &json!({ "type": "wasmscope", "request": "attach", "connect": "ws://h:1", "sourceMap": { "/b": "/s" } }),
            PathBuf::from("app.wasm"),
        )
        .unwrap();
        assert!(config.attached);
        assert_eq!(config.source_map, vec![PathMapping { from: "/b".into(), to: "/s".into() }]);
        let error = LaunchConfig::for_attach(&json!({ "program": "x.wasm" }), PathBuf::new()).unwrap_err();
        assert!(error.starts_with("unknown attach attribute `program`"), "{error}");
        let error = LaunchConfig::for_attach(&json!({ "sourceMap": { "/b": 1 } }), PathBuf::new()).unwrap_err();
        assert!(error.contains("`sourceMap`"), "{error}");
    }

    #[test]
    fn the_target_takes_its_own_attributes_and_refuses_the_others() {
        let program = this_file();
        let config = LaunchConfig::parse(&json!({ "program": program, "target": "node" })).unwrap();
        assert_eq!(config.guest.host, GuestHost::Node { script: None });
        let config =
            LaunchConfig::parse(&json!({ "program": program, "target": "chrome", "url": "http://127.0.0.1:1/" }))
                .unwrap();
        assert_eq!(config.guest.host, GuestHost::Chrome { url: "http://127.0.0.1:1/".into(), headless: true });
        assert_eq!(LaunchConfig::parse(&json!({ "program": program })).unwrap().guest.host, GuestHost::Wasmtime);
        let refused = [
            (json!({ "program": program, "target": "chrome" }), "needs `url`"),
            (json!({ "program": program, "target": "chrome", "url": "javascript:alert(1)" }), "`url`"),
            (json!({ "program": program, "target": "firefox" }), "unknown target"),
            (json!({ "program": program, "url": "http://127.0.0.1:1/" }), "`url` goes with"),
            (json!({ "program": program, "target": "node", "script": "/no/such.mjs" }), "`script`"),
            (json!({ "program": program, "target": "node", "headed": true }), "`headed` goes with"),
            (json!({ "program": program, "target": "node", "coreDumpOnTrap": "x" }), "`coreDumpOnTrap` applies"),
            (json!({ "program": program, "target": "node", "stdin": program }), "`stdin` applies"),
        ];
        for (arguments, expected) in refused {
            let error = LaunchConfig::parse(&arguments).unwrap_err();
            assert!(error.contains(expected), "{arguments}: {error}");
        }
    }

    #[test]
    fn a_page_or_a_script_finds_its_program_and_the_wasi_runner_needs_it() {
        let page = LaunchConfig::parse(&json!({ "target": "chrome", "url": "http://127.0.0.1:1/" })).unwrap();
        assert!(page.guest.program.as_os_str().is_empty());
        let script = LaunchConfig::parse(&json!({ "target": "node", "script": this_file() })).unwrap();
        assert!(script.guest.program.as_os_str().is_empty());
        let attach = LaunchConfig::for_devtools_attach(&json!({ "target": "node", "port": 9229 })).unwrap();
        assert!(attach.guest.program.as_os_str().is_empty());
        let error = LaunchConfig::parse(&json!({ "target": "node" })).unwrap_err();
        assert!(error.contains("needs `program`"), "{error}");
    }

    #[test]
    fn attaching_to_node_or_chrome_takes_a_port_and_the_program() {
        let program = this_file();
        let config = LaunchConfig::for_devtools_attach(
            &json!({ "target": "chrome", "port": 9222, "program": program, "url": "http://127.0.0.1" }),
        )
        .unwrap();
        assert!(config.attached);
        assert_eq!(
            config.guest.host,
            GuestHost::DevtoolsPort { port: 9222, browser: true, page: Some("http://127.0.0.1".into()) }
        );
        let refused = [
            (json!({ "target": "node", "program": program }), "`port`"),
            (json!({ "target": "node", "port": 70000, "program": program }), "`port`"),
            (json!({ "target": "node", "port": 9229, "program": program, "url": "x" }), "`url` goes with"),
            (json!({ "target": "wasmtime", "port": 9229, "program": program }), "`target`"),
            (
                json!({ "target": "node", "port": 9229, "program": program, "args": [] }),
                "unknown attach attribute `args`",
            ),
        ];
        for (arguments, expected) in refused {
            let error = LaunchConfig::for_devtools_attach(&arguments).unwrap_err();
            assert!(error.contains(expected), "{arguments}: {error}");
        }
    }
}
