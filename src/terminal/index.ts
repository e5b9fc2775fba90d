/** Output for people: colours and styles for a terminal, off when piped, in CI or under NO_COLOR. */
export { Color, type OutputStyle, outputStyle, paint } from "./style.js";
