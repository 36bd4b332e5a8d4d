// A profile file of either format, told apart by its content.
import { Profile } from './callTree';
import { parseFolded } from './folded';
import { parseSpeedscope } from './speedscope';

/** speedscope JSON when the text is a JSON object, else folded stacks. */
export function readProfile(text: string, title: string): Profile {
  const trimmed = text.trimStart();
  const profile = trimmed.startsWith('{') ? parseSpeedscope(JSON.parse(trimmed)) : parseFolded(text, title);
  profile.title = title;
  return profile;
}
