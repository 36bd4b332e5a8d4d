//! pprof's `profile.proto` (gzipped protobuf), as `go tool pprof`, Pyroscope
//! and Grafana read it. One location per physical frame, with the inlined
//! frames inside it as extra lines, innermost first, as the format wants.

use std::collections::HashMap;
use std::io::{self, Write};

use prost::Message;

use crate::profile::{Frame, FrameKind, Profile};

/// The subset of profile.proto wasmscope writes (field numbers from the
/// published schema).
pub(crate) mod proto {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Profile {
        #[prost(message, repeated, tag = "1")]
        pub sample_type: Vec<ValueType>,
        #[prost(message, repeated, tag = "2")]
        pub sample: Vec<Sample>,
        #[prost(message, repeated, tag = "4")]
        pub location: Vec<Location>,
        #[prost(message, repeated, tag = "5")]
        pub function: Vec<Function>,
        #[prost(string, repeated, tag = "6")]
        pub string_table: Vec<String>,
        #[prost(int64, tag = "10")]
        pub duration_nanos: i64,
        #[prost(message, optional, tag = "11")]
        pub period_type: Option<ValueType>,
        #[prost(int64, tag = "12")]
        pub period: i64,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ValueType {
        #[prost(int64, tag = "1")]
        pub r#type: i64,
        #[prost(int64, tag = "2")]
        pub unit: i64,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Sample {
        /// Leaf first.
        #[prost(uint64, repeated, tag = "1")]
        pub location_id: Vec<u64>,
        #[prost(int64, repeated, tag = "2")]
        pub value: Vec<i64>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Location {
        #[prost(uint64, tag = "1")]
        pub id: u64,
        /// Innermost (most inlined) first.
        #[prost(message, repeated, tag = "4")]
        pub line: Vec<Line>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Line {
        #[prost(uint64, tag = "1")]
        pub function_id: u64,
        #[prost(int64, tag = "2")]
        pub line: i64,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Function {
        #[prost(uint64, tag = "1")]
        pub id: u64,
        #[prost(int64, tag = "2")]
        pub name: i64,
        #[prost(int64, tag = "3")]
        pub system_name: i64,
        #[prost(int64, tag = "4")]
        pub filename: i64,
    }
}

struct Builder {
    strings: Vec<String>,
    string_ids: HashMap<String, i64>,
    functions: Vec<proto::Function>,
    function_ids: HashMap<(String, Option<String>), u64>,
    locations: Vec<proto::Location>,
    location_ids: HashMap<Vec<(u64, i64)>, u64>,
}

impl Builder {
    fn string(&mut self, text: &str) -> i64 {
        if let Some(&id) = self.string_ids.get(text) {
            return id;
        }
        let id = self.strings.len() as i64;
        self.strings.push(text.to_owned());
        self.string_ids.insert(text.to_owned(), id);
        id
    }

    fn function(&mut self, frame: &Frame) -> u64 {
        let key = (frame.name.clone(), frame.file.clone());
        if let Some(&id) = self.function_ids.get(&key) {
            return id;
        }
        let id = self.functions.len() as u64 + 1;
        let name = self.string(&frame.name);
        let filename = frame.file.as_deref().map_or(0, |f| self.string(f));
        self.functions.push(proto::Function { id, name, system_name: name, filename });
        self.function_ids.insert(key, id);
        id
    }

    /// A location for one physical frame: `frames` root first, the first
    /// being the function with code and the rest inlined into it.
    fn location(&mut self, frames: &[&Frame]) -> u64 {
        let lines: Vec<(u64, i64)> = frames.iter().rev().map(|f| (self.function(f), i64::from(f.line))).collect();
        if let Some(&id) = self.location_ids.get(&lines) {
            return id;
        }
        let id = self.locations.len() as u64 + 1;
        let line = lines.iter().map(|&(function_id, line)| proto::Line { function_id, line }).collect();
        self.locations.push(proto::Location { id, line });
        self.location_ids.insert(lines, id);
        id
    }
}

/// Encodes the profile as gzipped profile.proto.
pub fn write_pprof(profile: &Profile, out: &mut impl Write) -> io::Result<()> {
    let mut builder = Builder {
        strings: Vec::new(),
        string_ids: HashMap::new(),
        functions: Vec::new(),
        function_ids: HashMap::new(),
        locations: Vec::new(),
        location_ids: HashMap::new(),
    };
    builder.string(""); // string 0 is always empty
    let period_ns = 1_000_000_000 / i64::from(profile.meta.requested_rate_hz.max(1));
    let samples_type = proto::ValueType { r#type: builder.string("samples"), unit: builder.string("count") };
    let cpu_type = proto::ValueType { r#type: builder.string("cpu"), unit: builder.string("nanoseconds") };
    let mut samples = Vec::new();
    for (stack, weight) in &profile.stacks {
        let frames: Vec<&Frame> = stack.iter().map(|&i| &profile.frames[i]).collect();
        // Split root-first frames into physical frames: each non-inlined
        // frame starts one, the inlined frames after it belong to it.
        let mut groups: Vec<Vec<&Frame>> = Vec::new();
        for frame in frames {
            match (frame.kind, groups.last_mut()) {
                (FrameKind::Inlined, Some(group)) => group.push(frame),
                _ => groups.push(vec![frame]),
            }
        }
        let location_id: Vec<u64> = groups.iter().rev().map(|g| builder.location(g)).collect();
        let count = i64::try_from(*weight).unwrap_or(i64::MAX);
        samples.push(proto::Sample { location_id, value: vec![count, count.saturating_mul(period_ns)] });
    }
    let message = proto::Profile {
        sample_type: vec![samples_type, cpu_type.clone()],
        sample: samples,
        location: builder.locations,
        function: builder.functions,
        string_table: builder.strings,
        duration_nanos: i64::try_from(profile.meta.duration.as_nanos()).unwrap_or(i64::MAX),
        period_type: Some(cpu_type),
        period: period_ns,
    };
    let mut gzip = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    gzip.write_all(&message.encode_to_vec())?;
    gzip.finish()?;
    Ok(())
}
