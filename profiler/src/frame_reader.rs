//! Reads a profile back as a [`Profile`] whose frames keep their source
//! places (for the language server's heat): pprof and speedscope keep each
//! frame's file and line; folded stacks and Firefox profiles keep names
//! only. Frames stay interned as in the file: a long profile has millions
//! of stack entries but a few thousand distinct frames.

use std::collections::HashMap;
use std::io::Read;

use prost::Message;

use crate::pprof::proto;
use crate::profile::{Frame, FrameKind, Profile, ProfileMeta};
use crate::reader::{ReadError, read_profile, sample_weight};

/// The suffix stack-collapsing formats give inlined frames.
const INLINED: &str = "_[i]";

pub fn read_profile_back(bytes: &[u8]) -> Result<Profile, ReadError> {
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
    let stacks = read_profile(bytes)?;
    Ok(Profile::from_stacks(
        ProfileMeta::default(),
        stacks.into_iter().map(|(stack, count)| (stack.split(';').map(named).collect(), count)),
    ))
}

/// A frame known by its folded name only.
fn named(name: &str) -> Frame {
    let (name, kind) = match name.strip_suffix(INLINED) {
        Some(plain) => (plain, FrameKind::Inlined),
        None => (name, FrameKind::Function),
    };
    Frame { name: name.to_owned(), file: None, line: 0, kind }
}

fn read_speedscope(json: &serde_json::Value) -> Result<Profile, ReadError> {
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
    let profile = &json["profiles"][0];
    let samples = profile["samples"].as_array().ok_or_else(|| bad("samples"))?;
    let weights = profile["weights"].as_array().ok_or_else(|| bad("weights"))?;
    let unit = sample_weight(&profile["wasmscopeSamplePeriodMs"], weights);
    let stacks = samples
        .iter()
        .zip(weights)
        .map(|(stack, weight)| {
            let indexes = stack.as_array().ok_or_else(|| bad("sample stacks"))?;
            let path = indexes
                .iter()
                .map(|i| {
                    i.as_u64().map(|i| i as usize).filter(|i| *i < frames.len()).ok_or_else(|| bad("frame indexes"))
                })
                .collect::<Result<_, _>>()?;
            Ok((path, (weight.as_f64().unwrap_or(0.0) / unit).round().max(0.0) as u64))
        })
        .collect::<Result<_, ReadError>>()?;
    Ok(Profile { meta: ProfileMeta::default(), frames, stacks })
}

fn read_pprof(raw: &[u8]) -> Result<Profile, ReadError> {
    let profile = proto::Profile::decode(raw).map_err(|e| ReadError::Format(format!("pprof: {e}")))?;
    let string = |i: i64| profile.string_table.get(usize::try_from(i).unwrap_or(usize::MAX)).map(String::as_str);
    let functions: HashMap<u64, &proto::Function> = profile.function.iter().map(|f| (f.id, f)).collect();
    let mut frames = Vec::new();
    let mut frame_ids: HashMap<(u64, i64, bool), usize> = HashMap::new();
    // Each location once: its frames, root first (the outermost line is
    // the function with code, the others are inlined into it).
    let mut locations: HashMap<u64, Vec<usize>> = HashMap::new();
    for location in &profile.location {
        let ids = location
            .line
            .iter()
            .rev()
            .enumerate()
            .map(|(i, line)| {
                let inlined = i > 0;
                *frame_ids.entry((line.function_id, line.line, inlined)).or_insert_with(|| {
                    let function = functions.get(&line.function_id);
                    frames.push(Frame {
                        name: function.and_then(|f| string(f.name)).unwrap_or("??").to_owned(),
                        file: function.and_then(|f| string(f.filename)).filter(|f| !f.is_empty()).map(str::to_owned),
                        line: u32::try_from(line.line).unwrap_or(0),
                        kind: if inlined { FrameKind::Inlined } else { FrameKind::Function },
                    });
                    frames.len() - 1
                })
            })
            .collect();
        locations.insert(location.id, ids);
    }
    let stacks = profile
        .sample
        .iter()
        .map(|sample| {
            let mut path = Vec::new();
            for id in sample.location_id.iter().rev() {
                let ids = locations.get(id).ok_or_else(|| ReadError::Format(format!("pprof: no location {id}")))?;
                path.extend_from_slice(ids);
            }
            Ok((path, u64::try_from(sample.value.first().copied().unwrap_or(0)).unwrap_or(0)))
        })
        .collect::<Result<_, ReadError>>()?;
    Ok(Profile { meta: ProfileMeta::default(), frames, stacks })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(name: &str, line: u32, kind: FrameKind) -> Frame {
        Frame { name: name.into(), file: Some("/src/app.c".into()), line, kind }
    }

    fn sample_profile() -> Profile {
        let meta = ProfileMeta { program: "app.wasm".into(), requested_rate_hz: 1000, ..ProfileMeta::default() };
        let main = frame("main", 10, FrameKind::Function);
        let work = frame("work", 22, FrameKind::Function);
        let mix = frame("mix", 5, FrameKind::Inlined);
        // No stack of one sample: counts come back exact all the same.
        Profile::from_stacks(
            meta,
            [(vec![main.clone(), work.clone(), mix], 30), (vec![main.clone(), work], 12), (vec![main], 6)],
        )
    }

    fn sorted(profile: &Profile) -> Vec<(Vec<Frame>, u64)> {
        let mut stacks: Vec<_> = profile.frame_stacks().collect();
        stacks.sort_by_key(|(_, count)| *count);
        stacks
    }

    #[test]
    fn pprof_and_speedscope_keep_files_lines_and_inlining() {
        let profile = sample_profile();
        let mut pprof = Vec::new();
        crate::write_pprof(&profile, &mut pprof).unwrap();
        assert_eq!(sorted(&read_profile_back(&pprof).unwrap()), sorted(&profile));
        let mut speedscope = Vec::new();
        crate::write_speedscope(&profile, &mut speedscope).unwrap();
        assert_eq!(sorted(&read_profile_back(&speedscope).unwrap()), sorted(&profile));
    }

    #[test]
    fn folded_stacks_give_names_and_inlining_only() {
        let profile = read_profile_back(b"main;work;mix_[i] 30\nmain;work 12\n").unwrap();
        let stacks = sorted(&profile);
        assert_eq!(stacks[1].0[2], Frame { name: "mix".into(), file: None, line: 0, kind: FrameKind::Inlined });
        assert_eq!(stacks[0].1, 12);
        assert!(read_profile_back(b"\x1f\x8bnot gzip").is_err());
    }
}
