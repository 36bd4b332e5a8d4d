//! Reads a profile back as stacks of frames with their source places (for
//! the language server's heat): pprof and speedscope keep each frame's file
//! and line; folded stacks and Firefox profiles keep names only.

use std::io::Read;

use prost::Message;

use crate::pprof::proto;
use crate::profile::{Frame, FrameKind};
use crate::reader::{ReadError, read_profile};

/// Root-first stacks of frames, with their sample counts.
pub type FrameStacks = Vec<(Vec<Frame>, u64)>;

/// The suffix stack-collapsing formats give inlined frames.
const INLINED: &str = "_[i]";

pub fn read_frame_stacks(bytes: &[u8]) -> Result<FrameStacks, ReadError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut raw)?;
        return read_pprof(&raw);
    }
    if let Ok(text) = std::str::from_utf8(bytes)
        && text.trim_start().starts_with('{')
        && let Ok(json) = serde_json::from_str::<serde_json::Value>(text)
        && json.get("shared").is_some()
    {
        return read_speedscope(&json);
    }
    Ok(read_profile(bytes)?.into_iter().map(|(stack, count)| (stack.split(';').map(named).collect(), count)).collect())
}

/// A frame known by its folded name only.
fn named(name: &str) -> Frame {
    let (name, kind) = match name.strip_suffix(INLINED) {
        Some(plain) => (plain, FrameKind::Inlined),
        None => (name, FrameKind::Function),
    };
    Frame { name: name.to_owned(), file: None, line: 0, kind }
}

fn read_speedscope(json: &serde_json::Value) -> Result<FrameStacks, ReadError> {
    let bad = |what: &str| ReadError::Format(format!("speedscope file without {what}"));
    let frames: Vec<Frame> = json["shared"]["frames"]
        .as_array()
        .ok_or_else(|| bad("shared.frames"))?
        .iter()
        .map(|f| Frame {
            file: f["file"].as_str().map(str::to_owned),
            line: f["line"].as_u64().and_then(|l| u32::try_from(l).ok()).unwrap_or(0),
            ..named(f["name"].as_str().unwrap_or("??"))
        })
        .collect();
    // Counts come from the folded reading, which knows the weights' unit.
    let counted = read_profile(json.to_string().as_bytes())?;
    let samples = json["profiles"][0]["samples"].as_array().ok_or_else(|| bad("samples"))?;
    samples
        .iter()
        .zip(counted)
        .map(|(stack, (_, count))| {
            let indexes = stack.as_array().ok_or_else(|| bad("sample stacks"))?;
            let path = indexes
                .iter()
                .map(|i| i.as_u64().and_then(|i| frames.get(i as usize).cloned()).ok_or_else(|| bad("frame indexes")))
                .collect::<Result<_, _>>()?;
            Ok((path, count))
        })
        .collect()
}

fn read_pprof(raw: &[u8]) -> Result<FrameStacks, ReadError> {
    let profile = proto::Profile::decode(raw).map_err(|e| ReadError::Format(format!("pprof: {e}")))?;
    let string = |i: i64| profile.string_table.get(usize::try_from(i).unwrap_or(usize::MAX)).map(String::as_str);
    let functions: std::collections::HashMap<u64, &proto::Function> =
        profile.function.iter().map(|f| (f.id, f)).collect();
    let locations: std::collections::HashMap<u64, &proto::Location> =
        profile.location.iter().map(|l| (l.id, l)).collect();
    profile
        .sample
        .iter()
        .map(|sample| {
            let mut path = Vec::new();
            for id in sample.location_id.iter().rev() {
                let location =
                    locations.get(id).ok_or_else(|| ReadError::Format(format!("pprof: no location {id}")))?;
                // Lines are innermost first; the path is root first: the
                // outermost line is the function with code.
                for (i, line) in location.line.iter().rev().enumerate() {
                    let function = functions.get(&line.function_id);
                    path.push(Frame {
                        name: function.and_then(|f| string(f.name)).unwrap_or("??").to_owned(),
                        file: function.and_then(|f| string(f.filename)).filter(|f| !f.is_empty()).map(str::to_owned),
                        line: u32::try_from(line.line).unwrap_or(0),
                        kind: if i == 0 { FrameKind::Function } else { FrameKind::Inlined },
                    });
                }
            }
            Ok((path, u64::try_from(sample.value.first().copied().unwrap_or(0)).unwrap_or(0)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Profile, ProfileMeta};

    fn frame(name: &str, line: u32, kind: FrameKind) -> Frame {
        Frame { name: name.into(), file: Some("/src/app.c".into()), line, kind }
    }

    fn sample_profile() -> Profile {
        let meta = ProfileMeta { program: "app.wasm".into(), requested_rate_hz: 1000, ..ProfileMeta::default() };
        let main = frame("main", 10, FrameKind::Function);
        let work = frame("work", 22, FrameKind::Function);
        let mix = frame("mix", 5, FrameKind::Inlined);
        // A stack of one sample: speedscope's weights are milliseconds, read
        // back in units of the smallest.
        Profile::from_stacks(
            meta,
            [(vec![main.clone(), work.clone(), mix], 30), (vec![main.clone(), work], 12), (vec![main], 1)],
        )
    }

    #[test]
    fn pprof_and_speedscope_keep_files_lines_and_inlining() {
        let profile = sample_profile();
        let expected: FrameStacks = profile.frame_stacks().collect();
        let mut pprof = Vec::new();
        crate::write_pprof(&profile, &mut pprof).unwrap();
        assert_eq!(read_frame_stacks(&pprof).unwrap(), expected);
        let mut speedscope = Vec::new();
        crate::write_speedscope(&profile, &mut speedscope).unwrap();
        assert_eq!(read_frame_stacks(&speedscope).unwrap(), expected);
    }

    #[test]
    fn folded_stacks_give_names_and_inlining_only() {
        let stacks = read_frame_stacks(b"main;work;mix_[i] 30\nmain;work 12\n").unwrap();
        assert_eq!(stacks[0].0[2], Frame { name: "mix".into(), file: None, line: 0, kind: FrameKind::Inlined });
        assert_eq!(stacks[1].1, 12);
        assert!(read_frame_stacks(b"\x1f\x8bnot gzip").is_err());
    }
}
