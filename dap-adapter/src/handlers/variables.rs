//! Values: the variables of a scope (opened lazily, one level per
//! request), setting them, evaluating expressions, and completing names.

use serde_json::{Value, json};
use wasmscope_debugger::address::CodeOffset;
use wasmscope_debugger::session::expand::{
    Object, ShownChild, assign, display, expand, is_expandable, memory_of, show_value,
};
use wasmscope_debugger::session::expr::{self, EvalContext};
use wasmscope_debugger::session::values::{ShownVariable, set_variable as write_variable, show_variable};
use wasmscope_debugger::symbols::{ModuleSymbols, UNNAMED, WasmSymbols, format_float, size_of, type_name};
use wasmscope_debugger::target::{TargetView, ThreadId, WasmValue};

use super::stack::{default_frame, frame};
use crate::message::Request;
use crate::protocol::arguments::{EvaluateArguments, SetExpressionArguments, SetVariableArguments, VariablesArguments};
use crate::protocol::types::Variable;
use crate::server::{FrameId, Session, VariableScope, arguments, memory_reference, without_nulls};

type Reply = Result<Option<Value>, String>;

/// Where a frame is: its thread, physical frame, code offset and inline
/// index.
pub(super) struct FramePlace {
    pub(super) thread: ThreadId,
    pub(super) physical: usize,
    pub(super) pc: CodeOffset,
    pub(super) inline: usize,
}

fn place(session: &mut Session, frame_id: FrameId) -> Result<FramePlace, String> {
    let (thread, frame, inline) = frame(session, frame_id)?;
    let pc = frame.offset.ok_or("the frame is outside the code section")?;
    Ok(FramePlace { thread, physical: frame.physical, pc, inline })
}

pub(super) fn symbols(session: &Session) -> Result<std::sync::Arc<WasmSymbols>, String> {
    session.symbols.clone().ok_or_else(|| "no program".to_owned())
}

/// A shown value with a reference to open it when it has children.
fn variable(session: &mut Session, module: &ModuleSymbols, frame: FrameId, shown: VariableParts) -> Variable {
    let thread = session.handles.frame(frame).map(|(thread, ..)| thread);
    let reference = match (&shown.object, thread) {
        (Some(object), Ok(thread)) if is_expandable(module, object) => session.handles.reference(
            thread,
            VariableScope::Children { frame, expression: shown.evaluate_name.clone(), object: object.clone() },
        ),
        _ => 0,
    };
    Variable {
        name: shown.name,
        value: shown.value,
        type_name: Some(shown.type_name),
        evaluate_name: (!shown.evaluate_name.is_empty()).then_some(shown.evaluate_name),
        variables_reference: reference,
        memory_reference: shown.object.as_ref().and_then(|o| memory_of(module, o)).map(memory_reference),
    }
}

struct VariableParts {
    name: String,
    value: String,
    type_name: String,
    evaluate_name: String,
    object: Option<Object>,
}

impl From<ShownVariable> for VariableParts {
    fn from(shown: ShownVariable) -> Self {
        // An unnamed parameter has no expression that reads it.
        let evaluate_name = if shown.name == UNNAMED { String::new() } else { shown.name.clone() };
        VariableParts {
            evaluate_name,
            name: shown.name,
            value: shown.value,
            type_name: shown.type_name,
            object: shown.object,
        }
    }
}

fn child_expression(parent: &str, child: &ShownChild) -> String {
    if parent.is_empty() {
        // Below a value no expression names (an unnamed parameter).
        String::new()
    } else if child.name.starts_with('[') {
        format!("{parent}{}", child.name)
    } else if child.name.starts_with('*') {
        format!("*({parent})")
    } else {
        format!("({parent}).{}", child.name)
    }
}

pub(crate) fn variables(session: &mut Session, request: &Request) -> Reply {
    let args: VariablesArguments = arguments(request)?;
    let scope = session.handles.scope(args.variables_reference)?.1.clone();
    let symbols = symbols(session)?;
    let module = symbols.program().map_err(|e| e.to_string())?;
    let parts = match scope {
        VariableScope::Locals { frame } => {
            let at = place(session, frame)?;
            let scopes = module.variables_at(at.pc).map_err(|e| e.to_string())?;
            let view = session.view(at.thread)?;
            let mut out = Vec::new();
            if let Some(scope) = scopes.get(at.inline) {
                for var in &scope.variables {
                    out.push(show_variable(module, view, at.physical, var, scope.frame_base.as_ref()).into());
                }
            }
            (frame, out)
        }
        VariableScope::Globals { frame } => {
            let at = place(session, frame)?;
            let globals = module.globals_at(at.pc).map_err(|e| e.to_string())?;
            let view = session.view(at.thread)?;
            let out = globals.iter().map(|var| show_variable(module, view, at.physical, var, None).into()).collect();
            (frame, out)
        }
        VariableScope::Wasm { frame } => {
            let at = place(session, frame)?;
            let view = session.view(at.thread)?;
            let state = view.wasm_state(at.physical)?;
            let named = |prefix: &str, values: &[WasmValue]| -> Vec<VariableParts> {
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let (type_name, value) = wasm_value(*v);
                        VariableParts {
                            name: format!("{prefix}{i}"),
                            value,
                            type_name: type_name.into(),
                            evaluate_name: format!("${prefix}{i}"),
                            object: None,
                        }
                    })
                    .collect()
            };
            let mut out = named("local", &state.locals);
            out.extend(named("stack", &state.stack));
            // The module's globals, by their name-section names when known
            // (`__stack_pointer`); one that cannot be read says why.
            let core = module.module();
            for index in 0..core.global_count {
                let name = core.global_names.get(&index).cloned().unwrap_or_else(|| format!("global{index}"));
                let (type_name, value) = match view.global(index) {
                    Ok(v) => {
                        let (ty, value) = wasm_value(v);
                        (ty.to_owned(), value)
                    }
                    Err(error) => (String::new(), format!("<error: {error}>")),
                };
                out.push(VariableParts {
                    name,
                    value,
                    type_name,
                    evaluate_name: format!("$global{index}"),
                    object: None,
                });
            }
            (frame, out)
        }
        VariableScope::Children { frame, expression, object } => {
            let at = place(session, frame)?;
            let children = expand(module, session.view(at.thread)?, &object, &expression)?;
            let out = children
                .into_iter()
                .map(|c| VariableParts {
                    evaluate_name: child_expression(&expression, &c),
                    name: c.name,
                    value: c.value,
                    type_name: c.type_name,
                    object: c.object,
                })
                .collect();
            (frame, out)
        }
        VariableScope::Pointee { frame, expression, pointee, address } => {
            let size = size_of(module, pointee).filter(|s| *s > 0).ok_or("the pointer's target has no size")?;
            let at = place(session, frame)?;
            let view = session.view(at.thread)?;
            let bytes = view.read_memory(address, size as usize)?;
            let value = display(module, view, pointee, &bytes);
            let object = Object::new(pointee, bytes, Some(address));
            let name = format!("*({expression})");
            (
                frame,
                vec![VariableParts {
                    evaluate_name: name.clone(),
                    name,
                    value,
                    type_name: type_name(module, pointee),
                    object: Some(object),
                }],
            )
        }
    };
    let (frame, parts) = parts;
    let start = args.start.unwrap_or(0).min(parts.len());
    let end = match args.count {
        Some(count) if count > 0 => (start + count).min(parts.len()),
        _ => parts.len(),
    };
    let shown: Vec<Variable> =
        parts.into_iter().skip(start).take(end - start).map(|p| variable(session, module, frame, p)).collect();
    Ok(Some(json!({ "variables": shown })))
}

fn wasm_value(value: WasmValue) -> (&'static str, String) {
    match value {
        WasmValue::I32(v) => ("i32", v.to_string()),
        WasmValue::I64(v) => ("i64", v.to_string()),
        WasmValue::F32(v) => ("f32", format_float(v)),
        WasmValue::F64(v) => ("f64", format_float(v)),
        WasmValue::Other => ("ref/v128", "<not shown>".into()),
    }
}

pub(crate) fn set_variable(session: &mut Session, request: &Request) -> Reply {
    let args: SetVariableArguments = arguments(request)?;
    let scope = session.handles.scope(args.variables_reference)?.1.clone();
    let symbols = symbols(session)?;
    let module = symbols.program().map_err(|e| e.to_string())?;
    let (frame, shown) = match scope {
        VariableScope::Locals { frame } | VariableScope::Globals { frame } => {
            let at = place(session, frame)?;
            let (candidates, frame_base) = if matches!(scope, VariableScope::Locals { .. }) {
                let scopes = module.variables_at(at.pc).map_err(|e| e.to_string())?;
                let scope = scopes.get(at.inline).cloned().ok_or("no variables here")?;
                (scope.variables, scope.frame_base)
            } else {
                (module.globals_at(at.pc).map_err(|e| e.to_string())?, None)
            };
            let var = candidates
                .iter()
                .find(|v| v.name == args.name)
                .ok_or_else(|| format!("no variable `{}` here", args.name))?;
            let view = session.view(at.thread)?;
            let shown = write_variable(module, view, at.physical, at.pc, var, frame_base.as_ref(), &args.value)?;
            (frame, shown.into())
        }
        VariableScope::Children { frame, expression, object } => {
            let at = place(session, frame)?;
            let child = expand(module, session.view(at.thread)?, &object, &expression)?
                .into_iter()
                .find(|c| c.name == args.name)
                .ok_or_else(|| format!("no member `{}` here", args.name))?;
            let target = child.object.clone().ok_or("this member cannot be written (a bit field)")?;
            let new = assign_expression(module, session, &at, &target, &args.value)?;
            (
                frame,
                VariableParts {
                    evaluate_name: child_expression(&expression, &child),
                    name: child.name,
                    value: new.0,
                    type_name: child.type_name,
                    object: Some(new.1),
                },
            )
        }
        VariableScope::Wasm { .. } => {
            return Err("Wasm locals and the operand stack cannot be written (Wasmtime offers no way to)".into());
        }
        VariableScope::Pointee { .. } => {
            return Err("set the value through its expression instead".into());
        }
    };
    announce_memory_change(session, shown.object.as_ref());
    let variable = variable(session, module, frame, shown);
    Ok(Some(without_nulls(json!({
        "value": variable.value,
        "type": variable.type_name,
        "variablesReference": variable.variables_reference,
        "memoryReference": variable.memory_reference,
    }))))
}

/// Evaluates `value` in frame `at` and writes it into `target`; the value
/// shown afterwards and the object re-read.
fn assign_expression(
    module: &ModuleSymbols,
    session: &mut Session,
    at: &FramePlace,
    target: &Object,
    value: &str,
) -> Result<(String, Object), String> {
    let address = target.address.ok_or("the value is not in linear memory (a Wasm local cannot be written)")?;
    let parsed = expr::parse(value).map_err(|e| e.to_string())?;
    let view = session.view(at.thread)?;
    let new = expr::evaluate(&parsed, &mut context_at(module, view, at))?;
    let bytes = assign(module, view, target.ty, address, &new)?;
    let shown = display(module, view, target.ty, &bytes);
    Ok((shown, Object::new(target.ty, bytes, Some(address))))
}

fn announce_memory_change(session: &mut Session, object: Option<&Object>) {
    if let Some(Object { address: Some(address), bytes, .. }) = object
        && session.client.memory_event
    {
        session.out.event_after_response(
            "memory",
            Some(json!({ "memoryReference": memory_reference(*address), "offset": 0, "count": bytes.len() })),
        );
    }
}

/// Where an expression is evaluated: `at`'s frame and scopes.
pub(super) fn context_at<'a>(
    module: &'a ModuleSymbols,
    view: &'a mut dyn TargetView,
    at: &FramePlace,
) -> EvalContext<'a> {
    EvalContext { symbols: module, view, frame: at.physical, pc: at.pc, inline_frame: at.inline }
}

/// The frame an expression is evaluated in: the one asked for, else the
/// innermost frame of the thread that stopped last.
pub(super) fn evaluation_frame(
    session: &mut Session,
    frame_id: Option<FrameId>,
) -> Result<(FrameId, FramePlace), String> {
    let id = match frame_id {
        Some(id) => id,
        None => default_frame(session)?,
    };
    Ok((id, place(session, id)?))
}

pub(crate) fn evaluate(session: &mut Session, request: &Request) -> Reply {
    let args: EvaluateArguments = arguments(request)?;
    let symbols = symbols(session)?;
    let module = symbols.program().map_err(|e| e.to_string())?;
    let (frame, at) =
        evaluation_frame(session, args.frame_id).map_err(|e| format!("cannot evaluate `{}`: {e}", args.expression))?;
    let parsed = expr::parse(&args.expression).map_err(|e| e.to_string())?;
    let view = session.view(at.thread)?;
    let mut context = context_at(module, view, &at);
    let value = expr::evaluate(&parsed, &mut context)?;
    let type_name = value.type_name(module);
    let shown = show_value(module, view, &value);
    let (reference, memory) = match value {
        expr::Value::Object(object) => {
            let memory = memory_of(module, &object);
            let reference = if is_expandable(module, &object) {
                session.handles.reference(
                    at.thread,
                    VariableScope::Children { frame, expression: args.expression.clone(), object },
                )
            } else {
                0
            };
            (reference, memory)
        }
        expr::Value::Pointer { pointee, address } => {
            let readable = size_of(module, pointee).is_some_and(|s| s > 0) && address.0 != 0;
            let reference = if readable {
                session.handles.reference(
                    at.thread,
                    VariableScope::Pointee { frame, expression: args.expression.clone(), pointee, address },
                )
            } else {
                0
            };
            (reference, Some(address))
        }
        _ => (0, None),
    };
    Ok(Some(without_nulls(json!({
        "result": shown,
        "type": type_name,
        "variablesReference": reference,
        "memoryReference": memory.map(memory_reference),
    }))))
}

pub(crate) fn set_expression(session: &mut Session, request: &Request) -> Reply {
    let args: SetExpressionArguments = arguments(request)?;
    let symbols = symbols(session)?;
    let module = symbols.program().map_err(|e| e.to_string())?;
    let (_, at) = evaluation_frame(session, args.frame_id)?;
    let parsed = expr::parse(&args.expression).map_err(|e| e.to_string())?;
    let view = session.view(at.thread)?;
    let target = match expr::evaluate(&parsed, &mut context_at(module, view, &at))? {
        expr::Value::Object(object) => object,
        _ => {
            return Err(format!("`{}` is not something that can be assigned", args.expression));
        }
    };
    let (shown, object) = assign_expression(module, session, &at, &target, &args.value)?;
    announce_memory_change(session, Some(&object));
    Ok(Some(json!({ "value": shown, "type": type_name(module, object.ty) })))
}
