// Reads speedscope's file format (https://www.speedscope.app/file-format-schema.json),
// which `wasmscope profile --format speedscope` writes: sampled and evented profiles.
import { FrameInfo, Profile, addStack, newNode } from './callTree';

interface SpeedscopeFile {
  shared?: { frames?: FrameInfo[] };
  profiles?: SpeedscopeProfile[];
  name?: string;
}

type SpeedscopeProfile =
  | { type: 'sampled'; name?: string; unit?: string; samples: number[][]; weights?: number[] }
  | { type: 'evented'; name?: string; unit?: string; events: { type: 'O' | 'C'; at: number; frame: number }[] };

export function isSpeedscope(json: unknown): boolean {
  const file = json as SpeedscopeFile;
  return typeof json === 'object' && json !== null && Array.isArray(file.shared?.frames) && Array.isArray(file.profiles);
}

/** All profiles of the file merged into one tree (wasmscope writes one per run). */
export function parseSpeedscope(json: unknown): Profile {
  if (!isSpeedscope(json)) {
    throw new Error('not a speedscope profile (no shared.frames / profiles)');
  }
  const file = json as SpeedscopeFile;
  const frames = file.shared!.frames!;
  const frameAt = (i: number): FrameInfo => {
    const f = frames[i];
    if (!f) {
      throw new Error(`speedscope profile refers to frame ${i}, which does not exist`);
    }
    return f;
  };
  const root = newNode('all');
  let unit = 'samples';
  for (const profile of file.profiles!) {
    unit = profile.unit && profile.unit !== 'none' ? profile.unit : 'samples';
    if (profile.type === 'sampled') {
      profile.samples.forEach((stack, i) => addStack(root, stack.map(frameAt), profile.weights?.[i] ?? 1));
    } else if (profile.type === 'evented') {
      addEvented(root, profile.events, frameAt);
    } else {
      throw new Error(`unsupported speedscope profile type ${(profile as { type: string }).type}`);
    }
  }
  return { root, unit, title: file.name ?? file.profiles![0]?.name ?? 'profile' };
}

function addEvented(
  root: ReturnType<typeof newNode>,
  events: { type: 'O' | 'C'; at: number; frame: number }[],
  frameAt: (i: number) => FrameInfo,
): void {
  const open: number[] = [];
  let last = events.length > 0 ? events[0].at : 0;
  for (const event of events) {
    // The time since the previous event belongs to the stack open until now.
    if (open.length > 0 && event.at > last) {
      addStack(root, open.map(frameAt), event.at - last);
    }
    last = event.at;
    if (event.type === 'O') {
      open.push(event.frame);
    } else {
      open.pop();
    }
  }
}
